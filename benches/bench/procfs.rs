//! What Linux's /proc says about a process tree: its members and their memory.
//! The benchmark measures with it, and the resource tests assert with it
//! (tests/cli/main.rs includes this file).

use std::fs;

/// Returns a process and its children, started by any of its threads.
pub fn process_tree(pid: u32) -> Vec<u32> {
    let mut tree = vec![pid];
    for task in fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let children = fs::read_to_string(task.path().join("children")).unwrap_or_default();
        tree.extend(
            children
                .split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok()),
        );
    }
    tree
}

/// Returns a process's peak resident memory in KiB.
pub fn high_water_mark(pid: u32) -> Option<u64> {
    status_field(pid, "VmHWM:")
}

/// Returns a field of /proc/PID/status, in KiB.
pub fn status_field(pid: u32, field: &str) -> Option<u64> {
    fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Waits for a child process to end, as `Child::wait` does, and returns
/// whether it succeeded and the kernel's count of its peak resident memory in
/// KiB: the largest of its own and each of its descendants' it waited for
/// (`ru_maxrss` of wait4(2)).
pub fn wait_with_peak(child: std::process::Child) -> std::io::Result<(bool, u64)> {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data, for which all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: wait4 writes only into the two locals it is given; the
        // child is ours and is reaped here once (it is consumed).
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if waited == pid {
            break;
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    let success = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    Ok((success, u64::try_from(usage.ru_maxrss).unwrap_or(0)))
}
