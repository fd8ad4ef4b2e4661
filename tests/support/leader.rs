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
