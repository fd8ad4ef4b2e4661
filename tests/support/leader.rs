//! For a forked child whose first thread ends while a second one goes on (as a C
//! program's `main` ending with pthread_exit leaves it): the second thread waits until
//! the first is gone. Shared by the integration tests (`#[path = "support/leader.rs"]`)
//! and the library's unit tests (src/lib.rs). Linux: it reads /proc.

/// Whether this process's first thread became a zombie within 10 s. /proc/self/stat
/// describes that thread; its state follows the command name's closing parenthesis.
pub fn leader_became_zombie() -> bool {
    let zombie = || {
        std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|s| s.rsplit_once(") ").map(|(_, rest)| rest.starts_with('Z')))
            .unwrap_or(false)
    };
    for _ in 0..1000 {
        if zombie() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    zombie()
}

/// The body of a thread started by [`exit_status_after_leader_exits`]: it ends the
/// process with `libc::_exit` and its verdict.
pub type Thread = extern "C" fn(*mut libc::c_void) -> *mut libc::c_void;

/// Forks; the child starts `thread` with `arg` on a second thread, then ends its first
/// thread alone (the raw exit system call: no unwinding through the test's frames), as a
/// C program's `main` ending with pthread_exit does. A 30 s alarm ends a child that
/// hangs. Returns the child's exit status: the thread's verdict, 8 when the thread could
/// not be started, 9 when the first thread did not end; fails the test when a signal
/// ended the child.
pub fn exit_status_after_leader_exits(thread: Thread, arg: *mut libc::c_void) -> i32 {
    // SAFETY: the child only starts a thread and exits; the parent waits for it.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
    if pid == 0 {
        // SAFETY: arms the alarm, starts the thread with a plain function, then ends only
        // this thread (SYS_exit, not exit_group).
        unsafe {
            libc::alarm(30);
            let mut id: libc::pthread_t = 0;
            if libc::pthread_create(&mut id, std::ptr::null(), thread, arg) != 0 {
                libc::_exit(8);
            }
            libc::syscall(libc::SYS_exit, 0);
            libc::_exit(9);
        }
    }
    let mut status = 0;
    // SAFETY: waits for our own child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status),
        "child ended by a signal: {status:#x}"
    );
    libc::WEXITSTATUS(status)
}
