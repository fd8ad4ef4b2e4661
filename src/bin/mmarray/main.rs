//! `mmarray`: inspect, slice, summarise, check, convert and grow .npy, .npz and raw
//! array files
//! from the shell, without Python. It uses the library's Rust core directly (dtype,
//! layout, mapping, view, npy), never the C layer.
//!
//! Exit status: 0 success, 1 a failure (a file that cannot be read, a check that found
//! problems), 2 a usage error (clap's own code for bad arguments, and ours for a bad
//! slice text or raw description).

mod check;
mod convert;
mod data;
mod fastf64;
mod grow;
mod info;
mod input;
mod items;
mod npzinfo;
mod os;
mod pyfloat;
mod repr;
mod slicing;
mod stats;
mod transpose;

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
    about = "Inspect, slice, summarise, check, convert and grow .npy, .npz and raw array files",
    long_about = "Inspect, slice, summarise, check and convert .npy and raw array files, \
                  as numpy would read them, without Python. Files are memory-mapped: only \
                  the bytes asked for are read.\n\n\
                  A FILE named ARCHIVE.npz:NAME is member NAME of a .npz archive. \
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
        /// .npy files, .npz archives, members ARCHIVE.npz:NAME (or raw files with --dtype)
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
        /// A .npy file, a member ARCHIVE.npz:NAME (or a raw file with --dtype)
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
    #[command(
        long_about = "Count, min, max, mean, std (ddof 0), NaN and inf counts of numeric \
        data (complex: of the real and imaginary parts), computed on every core. count, \
        min, max and the NaN and inf counts are exact; mean and std are computed in \
        float64 (compensated sums, blockwise two-pass variance merged with Chan's \
        formula) and agree with numpy's x.mean(dtype=float64) and x.std(dtype=float64) \
        to a relative 1e-12 (tested). As numpy: min, max, mean and std are nan when a \
        value is NaN."
    )]
    Stats {
        /// A .npy file, a member ARCHIVE.npz:NAME (or a raw file with --dtype)
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
    /// Validate .npy files and .npz archives (every member's CRC); exit status 1 on problems
    Check {
        /// .npy files, .npz archives and members ARCHIVE.npz:NAME (that member's CRC)
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
        byte-identical to what np.save writes for the same array. IN may be a member of \
        an archive, ARCHIVE.npz:NAME.\n\n\
        With an OUT ending in .npz, every IN (a .npy file or a .npz member) becomes a \
        member named after its file stem (or member name), as np.savez(OUT, stem=array, \
        ...) writes it, byte for byte; with --compress as np.savez_compressed, whose \
        values are equal but whose deflate bytes differ from zlib's."
    )]
    Convert {
        /// IN... OUT: one input (a .npy file, ARCHIVE.npz:NAME, or a raw file described by
        /// --dtype/--shape/--offset/--order), or several .npy inputs for a .npz OUT
        #[arg(required = true, num_args = 2.., value_name = "IN... OUT")]
        paths: Vec<PathBuf>,
        /// Deflate the members of a .npz output (np.savez_compressed)
        #[arg(long)]
        compress: bool,
        #[command(flatten)]
        raw: RawOpts,
    },
    /// Append the rows of .npy files to a .npy file, in place (np.save's header room)
    #[command(
        long_about = "Append the rows of each SRC (same dtype and byte order, same order, the \
        same shape but along the growth axis: axis 0, or the last for Fortran order) to \
        DST, in place: the rows are written after DST's data, then its header's length \
        is rewritten within the header's room. A file without room (np.save leaves it; \
        other writers may not) can be given room with `mmarray growable`."
    )]
    Append {
        /// The .npy file to grow
        dst: PathBuf,
        /// .npy files (or ARCHIVE.npz:NAME members) whose rows are appended, in order
        #[arg(required = true)]
        srcs: Vec<PathBuf>,
    },
    /// After a crashed append: set a .npy header's length to the whole rows the file holds
    Recover {
        /// The .npy file
        file: PathBuf,
    },
    /// Rewrite a .npy file with np.save's header (room to grow), atomically
    #[command(
        long_about = "Rewrite FILE as np.save writes the same array, atomically (a temporary \
        file in its directory, renamed when complete): its header then has np.save's \
        spare room and `mmarray append` can grow it in place. A file whose header already \
        has that room is left unchanged. Bytes after the data are not kept."
    )]
    Growable {
        /// The .npy file
        file: PathBuf,
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
        Command::Convert {
            paths,
            compress,
            raw,
        } => convert::run(&paths, compress, &raw)?,
        Command::Append { dst, srcs } => grow::append(&dst, &srcs, &mut out)?,
        Command::Recover { file } => grow::recover(&file, &mut out)?,
        Command::Growable { file } => grow::growable(&file, &mut out)?,
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
