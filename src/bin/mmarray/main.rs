//! `mmarray`: inspect, slice, summarise, check and convert .npy and raw array files
//! from the shell, without Python. It uses the library's Rust core directly (dtype,
//! layout, mapping, view, npy), never the C layer.
//!
//! Exit status: 0 success, 1 a failure (a file that cannot be read, a check that found
//! problems), 2 a usage error (clap's own code for bad arguments, and ours for a bad
//! slice text or raw description).

mod check;
mod convert;
mod data;
mod info;
mod input;
mod items;
mod pyfloat;
mod repr;
mod slicing;
mod stats;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// A failure to report: the message (which names the file) and the exit status.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub status: u8,
}

impl Failure {
    /// A failure of the operation (exit status 1).
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            status: 1,
        }
    }

    /// A usage error (exit status 2, as clap's own).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            status: 2,
        }
    }
}

pub type Outcome<T> = std::result::Result<T, Failure>;

#[derive(Parser)]
#[command(
    name = "mmarray",
    version,
    about = "Inspect, slice, summarise, check and convert .npy and raw array files",
    long_about = "Inspect, slice, summarise, check and convert .npy and raw array files, \
                  as numpy would read them, without Python. Files are memory-mapped: only \
                  the bytes asked for are read.\n\n\
                  A FILE is read as .npy unless --dtype (or --shape, --offset, --order) is \
                  given: it is then a raw file read as numpy.memmap(FILE, dtype, 'r', \
                  offset, shape, order) would read it.\n\n\
                  Exit status: 0 success, 1 failure, 2 usage error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How a raw (headerless) file is to be read: numpy.memmap's arguments.
#[derive(Args, Clone, Debug, Default)]
pub struct RawOpts {
    /// Data type of a raw file, as numpy spells it ("<f8", "float32", "i2", ">u4")
    #[arg(long)]
    pub dtype: Option<String>,
    /// Shape of a raw file, e.g. "100,3" or "(100, 3)"; default: 1-D, as many items as fit
    #[arg(long)]
    pub shape: Option<String>,
    /// Byte offset of the data in a raw file
    #[arg(long)]
    pub offset: Option<u64>,
    /// Memory order of a raw file: C (row-major) or F (column-major)
    #[arg(long)]
    pub order: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// numpy's repr of the array
    Numpy,
    /// one line per row of the last axis, comma-separated
    Csv,
    /// nested JSON arrays
    Json,
    /// the bytes of the elements, in C order, for piping
    Raw,
}

#[derive(Subcommand)]
enum Command {
    /// Describe files: dtype, shape, order, header, data offset and sizes
    Info {
        /// .npy files (or raw files with --dtype)
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One JSON object per file, one per line
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        raw: RawOpts,
    },
    /// Print an array or a slice of it, as numpy prints it
    Show {
        /// A .npy file (or a raw file with --dtype)
        file: PathBuf,
        /// numpy-style index, e.g. "10:20, ::-1, 3" or "..., 0" (may start with '-')
        #[arg(allow_hyphen_values = true)]
        slice: Option<String>,
        /// Print every element (numpy summarises past 1000 elements)
        #[arg(long)]
        full: bool,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Numpy)]
        format: Format,
        #[command(flatten)]
        raw: RawOpts,
    },
    /// Count, min, max, mean, std, NaN and inf counts of numeric data, on every core
    Stats {
        /// A .npy file (or a raw file with --dtype)
        file: PathBuf,
        /// numpy-style index, e.g. "10:20, ::-1, 3" (may start with '-')
        #[arg(allow_hyphen_values = true)]
        slice: Option<String>,
        /// One JSON object
        #[arg(long)]
        json: bool,
        /// Worker threads (default: every core)
        #[arg(long)]
        threads: Option<usize>,
        #[command(flatten)]
        raw: RawOpts,
    },
    /// Validate .npy files: header, data length, trailing bytes; exit status 1 on problems
    Check {
        /// .npy files
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Do not count bytes after the data as a problem
        #[arg(long)]
        allow_trailing: bool,
        /// Also require header room for the growth axis to reach 21 digits, as np.save leaves
        #[arg(long)]
        require_growable: bool,
        /// Print "FILE: ok" for files without problems
        #[arg(short, long)]
        verbose: bool,
    },
    /// Convert between raw and .npy, C and F order, byte orders and safe dtype casts
    #[command(
        long_about = "Convert IN to OUT, atomically (a temporary file in OUT's \
        directory, renamed when complete; nothing is left behind on failure). OUT is \
        written as .npy when its name ends in .npy, else as raw bytes (C order unless \
        --order F). For a .npy IN, --dtype and --order give OUT's dtype (a byte order \
        change or a cast numpy calls safe) and order. For a raw IN, --dtype, --shape, \
        --offset and --order describe IN, as for the other commands. The .npy written is \
        byte-identical to what np.save writes for the same array."
    )]
    Convert {
        /// The input: a .npy file, or a raw file described by --dtype/--shape/--offset/--order
        input: PathBuf,
        /// The output: .npy when the name ends in .npy, else raw bytes; replaced atomically
        output: PathBuf,
        #[command(flatten)]
        raw: RawOpts,
    },
    /// Print a shell completion script
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

fn run(cli: Cli) -> Outcome<u8> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let status = match cli.command {
        Command::Info { files, json, raw } => info::run(&files, json, &raw, &mut out)?,
        Command::Show {
            file,
            slice,
            full,
            format,
            raw,
        } => repr::run(&file, slice.as_deref(), full, format, &raw, &mut out)?,
        Command::Stats {
            file,
            slice,
            json,
            threads,
            raw,
        } => stats::run(&file, slice.as_deref(), json, threads, &raw, &mut out)?,
        Command::Check {
            files,
            allow_trailing,
            require_growable,
            verbose,
        } => check::run(&files, allow_trailing, require_growable, verbose, &mut out)?,
        Command::Convert { input, output, raw } => convert::run(&input, &output, &raw)?,
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "mmarray", &mut out);
            0
        }
    };
    out.flush().map_err(write_failure)?;
    Ok(status)
}

/// A write to stdout that failed. A closed pipe (`| head`) is not worth a message.
pub fn write_failure(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Failure {
            message: String::new(),
            status: 1,
        }
    } else {
        Failure::new(format!("mmarray: cannot write the output: {e}"))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The last resort: a bug must give a message and status 1, not a backtrace. The
    // default hook would print one; ours prints a line.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("mmarray: internal error (please report): {what}");
    }));
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(status)) => ExitCode::from(status),
        Ok(Err(failure)) => {
            if !failure.message.is_empty() {
                eprintln!("{}", failure.message);
            }
            ExitCode::from(failure.status)
        }
        Err(_) => ExitCode::from(1),
    }
}
