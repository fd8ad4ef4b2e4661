//! Random sequences of open / view / slice / close / data / read_at / write_at through the
//! C ABI against a model of which handles are live: a live handle always answers, a
//! closed, zero or made-up one is always MM_E_BAD_HANDLE (even after its slot is
//! reused), mm_handle_count() always equals the model's count, and bytes written through
//! one view are read back through another view of the same mapping.
#![no_main]

use std::collections::HashMap;
use std::ffi::CString;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mmarray::ffi::*;

const LEN: usize = 64;

#[derive(Arbitrary, Debug)]
enum Op {
    Open { writable: bool },
    View { of: u8, offset: u8, len: u8 },
    Slice { of: u8, start: i8, stop: i8, step: i8 },
    Close { which: u8 },
    CloseStale { which: u8 },
    CloseRandom { handle: u64 },
    Data { which: u8 },
    Write { which: u8, at: u8, byte: u8 },
    Read { which: u8, at: u8 },
}

struct Live {
    /// Which opened file (mapping) the handle views; its position in that mapping.
    file: usize,
    /// Byte position of the first element in the mapping (of the data pointer, for an
    /// empty view, which may lie just outside).
    position: isize,
    len: usize,
    step: isize,
    writable: bool,
}

static PATH: OnceLock<CString> = OnceLock::new();

fn path() -> &'static CString {
    PATH.get_or_init(|| {
        let p = std::env::temp_dir().join(format!("mmarray-fuzz-handles-{}.bin", std::process::id()));
        std::fs::write(&p, vec![0u8; LEN]).unwrap();
        // libFuzzer ends with exit(): remove the file then (statics are never dropped).
        unsafe { libc_atexit(remove_file) };
        CString::new(p.to_str().unwrap()).unwrap()
    })
}

extern "C" {
    #[link_name = "atexit"]
    fn libc_atexit(f: extern "C" fn()) -> i32;
}

extern "C" fn remove_file() {
    if let Some(p) = PATH.get() {
        let _ = std::fs::remove_file(std::ffi::OsStr::new(p.to_str().unwrap_or("")));
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let baseline = mm_handle_count();
    let mut live: HashMap<mm_array, Live> = HashMap::new();
    let mut order: Vec<mm_array> = Vec::new();
    let mut closed: Vec<mm_array> = Vec::new();
    // Model of the bytes of each opened r+ mapping (file index -> bytes); c mappings
    // are private, so each open gets its own model.
    let mut files: Vec<Vec<u8>> = Vec::new();
    let pick = |order: &Vec<mm_array>, i: u8| -> Option<mm_array> {
        if order.is_empty() { None } else { Some(order[i as usize % order.len()]) }
    };
    for op in ops.into_iter().take(200) {
        match op {
            Op::Open { writable } => {
                let mut h = 0;
                let mode = if writable { c"c" } else { c"r" };
                let st = unsafe {
                    mm_open(path().as_ptr(), c"u1".as_ptr(), mode.as_ptr(), 0, std::ptr::null(), 0, b'C' as _, &mut h)
                };
                assert_eq!(st, MM_OK);
                assert!(!live.contains_key(&h) && !closed.contains(&h), "handle {h:#x} reissued");
                files.push(vec![0u8; LEN]);
                live.insert(h, Live { file: files.len() - 1, position: 0, len: LEN, step: 1, writable });
                order.push(h);
            }
            Op::View { of, offset, len } => {
                let Some(b) = pick(&order, of) else { continue };
                let base = &live[&b];
                if base.step != 1 { continue; }
                let (offset, len) = (offset as usize % (LEN + 2), len as usize % (LEN + 2));
                let mut h = 0;
                let st = unsafe {
                    mm_view(b, std::ptr::null(), offset as i64, [len].as_ptr(), 1, std::ptr::null(), &mut h)
                };
                let at = base.position + offset as isize;
                let fits = len == 0 || (at >= 0 && at as usize + len <= LEN);
                if fits {
                    assert_eq!(st, MM_OK);
                    let v = Live { file: base.file, position: at, len, step: 1, writable: base.writable };
                    live.insert(h, v);
                    order.push(h);
                } else {
                    assert_eq!(st, MM_E_OUT_OF_BOUNDS);
                    assert_eq!(h, 0);
                }
            }
            Op::Slice { of, start, stop, step } => {
                let Some(b) = pick(&order, of) else { continue };
                let mut h = 0;
                let st = unsafe { mm_slice(b, 0, start as i64, stop as i64, step as i64, &mut h) };
                if step == 0 {
                    assert_eq!(st, MM_E_INVALID_ARG);
                    continue;
                }
                assert_eq!(st, MM_OK);
                let base = &live[&b];
                let n = mm_size(h);
                let data = mm_data(h) as isize - mm_data(b) as isize;
                let position = base.position as isize + data;
                let v = Live {
                    file: base.file,
                    position,
                    len: n,
                    step: base.step * step as isize,
                    writable: base.writable,
                };
                live.insert(h, v);
                order.push(h);
            }
            Op::Close { which } => {
                let Some(h) = pick(&order, which) else { continue };
                assert_eq!(mm_close(h), MM_OK);
                live.remove(&h);
                order.retain(|&x| x != h);
                closed.push(h);
            }
            Op::CloseStale { which } => {
                if closed.is_empty() { continue; }
                let h = closed[which as usize % closed.len()];
                assert_eq!(mm_close(h), MM_E_BAD_HANDLE);
                assert!(mm_data(h).is_null());
            }
            Op::CloseRandom { handle } => {
                if live.contains_key(&handle) { continue; }
                assert_eq!(mm_close(handle), MM_E_BAD_HANDLE);
                assert_eq!(mm_size(handle), 0);
            }
            Op::Data { which } => {
                let Some(h) = pick(&order, which) else { continue };
                assert!(!mm_data(h).is_null());
                assert_eq!(mm_size(h), live[&h].len);
            }
            Op::Write { which, at, byte } => {
                let Some(h) = pick(&order, which) else { continue };
                let v = &live[&h];
                if v.step < 0 { continue; }
                let at = at as usize % (v.len + 1);
                let st = unsafe { mm_write_at(h, at as u64, [byte].as_ptr().cast(), 1) };
                let extent = if v.len == 0 { 0 } else { (v.len - 1) * v.step as usize + 1 };
                if !v.writable {
                    assert_eq!(st, MM_E_READ_ONLY);
                } else if at < extent {
                    assert_eq!(st, MM_OK);
                    files[v.file][v.position as usize + at] = byte;
                } else {
                    assert_eq!(st, MM_E_OUT_OF_BOUNDS);
                }
            }
            Op::Read { which, at } => {
                let Some(h) = pick(&order, which) else { continue };
                let v = &live[&h];
                if v.step < 0 { continue; }
                let at = at as usize % (v.len + 1);
                let mut b = [0u8];
                let st = unsafe { mm_read_at(h, at as u64, b.as_mut_ptr().cast(), 1) };
                let extent = if v.len == 0 { 0 } else { (v.len - 1) * v.step as usize + 1 };
                if at < extent {
                    assert_eq!(st, MM_OK);
                    assert_eq!(b[0], files[v.file][v.position as usize + at]);
                } else {
                    assert_eq!(st, MM_E_OUT_OF_BOUNDS);
                }
            }
        }
        assert_eq!(mm_handle_count(), baseline + live.len());
    }
    for h in order {
        assert_eq!(mm_close(h), MM_OK);
    }
    assert_eq!(mm_handle_count(), baseline);
});
