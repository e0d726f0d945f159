//! What Linux's /proc says about a process tree: its members and their memory.
//! `bench` measures with it, and the resource tests assert with it.

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
