//! An open refused for want of address space says which limit it met: the number of
//! memory mappings the kernel allows a process (vm.max_map_count; every open array is
//! one), or the process's RLIMIT_AS; opens work again once the mappings are given back
//! or the limit raised. Linux only. Its own test binary, run from main() (no harness
//! threads): each check uses up its process's mappings or address space for a moment.

use std::fs;

use mmarray::ffi::*;

#[path = "support/capi.rs"]
mod capi;
use capi::{last_error, try_open};
#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

fn main() {
    if cfg!(target_os = "linux") {
        an_open_past_the_mapping_limit_names_vm_max_map_count();
        an_open_past_rlimit_as_names_it();
        println!("map_limit: 2 checks passed");
    } else {
        println!("map_limit: NOT RUN: the checks are for Linux's limits");
    }
}

fn an_open_past_the_mapping_limit_names_vm_max_map_count() {
    let max: usize = fs::read_to_string("/proc/sys/vm/max_map_count")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    if max > 1 << 20 {
        eprintln!(
            "NOT RUN: vm.max_map_count is {max} here; using that many mappings up would take too long"
        );
        return;
    }
    let dir = TempDir::new("map-limit");
    let path = dir.path("a.f8");
    fs::write(&path, [0u8; 4096]).unwrap();

    // One region without access, every other page of it then made readable: each
    // change splits the region, one mapping more, until the kernel refuses (ENOMEM).
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    let pages = 2 * max + 2;
    // SAFETY: a new private anonymous region, not touched (MAP_NORESERVE, no access).
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            pages * page,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    assert_ne!(base, libc::MAP_FAILED);
    let mut refused = None;
    for i in (1..pages).step_by(2) {
        // SAFETY: a page inside the region mapped above.
        let r = unsafe {
            libc::mprotect(
                base.cast::<u8>().add(i * page).cast(),
                page,
                libc::PROT_READ,
            )
        };
        if r != 0 {
            refused = Some((i, std::io::Error::last_os_error().raw_os_error()));
            break;
        }
    }
    // Then arrays until one is refused (the kernel may allow a mapping or two past the
    // point where it refuses to split one).
    let mut open = Vec::new();
    let mut failure = None;
    for _ in 0..64 {
        let (status, handle) = try_open(&path, "<f8", "r", 0, None);
        if status != MM_OK {
            failure = Some((status, handle, last_error(), mm_last_os_error()));
            break;
        }
        open.push(handle);
    }
    // Everything given back before any assertion can fail.
    for &handle in &open {
        assert_eq!(mm_close(handle), MM_OK);
    }
    // SAFETY: the region mapped above, no longer used.
    assert_eq!(unsafe { libc::munmap(base, pages * page) }, 0);

    let (at, errno) = refused.expect("the kernel never refused to split the region");
    assert_eq!(errno, Some(libc::ENOMEM), "mprotect of page {at}");
    assert!(at > max / 2, "refused after {} splits only", at / 2);
    let (status, handle, message, os_error) = failure.expect("64 arrays opened past the limit");
    assert_eq!(
        (status, handle, os_error),
        (MM_E_IO, 0, libc::ENOMEM),
        "{message}"
    );
    assert!(
        message.contains("Cannot allocate memory (os error 12)")
            && message.contains(" memory mappings and the kernel allows ")
            && message.ends_with(", vm.max_map_count: close arrays, or raise it with sysctl)"),
        "{message}"
    );

    // The same open works again.
    let (status, handle) = try_open(&path, "<f8", "r", 0, None);
    assert_eq!(status, MM_OK, "{}", last_error());
    assert_eq!(mm_close(handle), MM_OK);
}

fn an_open_past_rlimit_as_names_it() {
    let dir = TempDir::new("rlimit-as");
    let path = dir.path("big.u1");
    // 1 GiB, sparse: nothing is written.
    fs::File::create(&path).unwrap().set_len(1 << 30).unwrap();
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let vm_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmSize:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read or write the struct they are given.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut old) }, 0);
    // Room for 256 MiB more than the process uses now: not for the 1 GiB mapping.
    let limit = vm_kib * 1024 + (256 << 20);
    let low = libc::rlimit {
        rlim_cur: limit,
        rlim_max: old.rlim_max,
    };
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &low) }, 0);
    let (status, handle) = try_open(&path, "u1", "r", 0, None);
    let (message, os_error) = (last_error(), mm_last_os_error());
    // SAFETY: as above; the old soft limit is at most the unchanged hard one.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &old) }, 0);
    assert_eq!(
        (status, handle, os_error),
        (MM_E_IO, 0, libc::ENOMEM),
        "{message}"
    );
    let expected = format!(
        "mmap of 1073741824 bytes at offset 0 failed: Cannot allocate memory (os error 12) \
         (the process's address space is limited to {limit} bytes: RLIMIT_AS, see ulimit -v)"
    );
    assert!(message.ends_with(&expected), "{message}");

    let (status, handle) = try_open(&path, "u1", "r", 0, None);
    assert_eq!(status, MM_OK, "{}", last_error());
    assert_eq!(mm_close(handle), MM_OK);
}
