//! Clean ends on Ctrl-C and `kill`: no worker left behind, nothing half-written.
//!
//! SIGINT and SIGTERM are caught by signal-hook, whose handler only wakes a
//! thread of ours (all a handler may safely do). That thread then kills the
//! worker processes, waits for them, removes the temporary files of the
//! outputs being written, and ends the process with the status a shell
//! expects: 130 for SIGINT, 143 for SIGTERM. Every PDF finished before stays
//! as it is: outputs are only ever renamed into place.

use std::collections::HashSet;
use std::io;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};

use rustix::process::{Pid, Signal, WaitOptions};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::output;

/// Process ids of the running worker processes; `None` once the run is stopping.
static WORKERS: Mutex<Option<Vec<u32>>> = Mutex::new(Some(Vec::new()));

/// Outputs this run writes, whose temporary files a signal must remove.
static OUTPUTS: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

static INSTALL: Once = Once::new();

/// Catches SIGINT and SIGTERM for the rest of the process (once). Its
/// wake-up pipe is close-on-exec: no worker or opened viewer inherits it.
pub fn install() {
    INSTALL.call_once(|| {
        let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                stop(signal);
            }
        });
    });
}

/// Set once a signal arrived and the run is stopping.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Waits for the end of a run a signal is stopping, so that the process ends
/// with the signal's status, not with the failures the stop caused.
pub fn settle() {
    if STOPPING.load(Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
}

/// Ends the run after a signal: workers killed and waited for, temporary files removed.
fn stop(signal: i32) -> ! {
    STOPPING.store(true, Ordering::SeqCst);
    // Taking the list under its lock also stops new workers from starting.
    let workers = WORKERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .unwrap_or_default();
    for pid in workers
        .iter()
        .filter_map(|p| Pid::from_raw(i32::try_from(*p).ok()?))
    {
        // Our own children, still unreaped: their ids are not reused yet.
        let _ = rustix::process::kill_process(pid, Signal::KILL);
        let _ = rustix::process::waitpid(Some(pid), WaitOptions::empty());
    }
    if let Some(outputs) = OUTPUTS.lock().unwrap_or_else(|e| e.into_inner()).take() {
        for path in outputs {
            output::remove_stale(&path);
        }
    }
    std::process::exit(128 + signal);
}

/// Starts a worker process and notes it, to be killed if the run is
/// interrupted; refuses once the run is stopping.
pub fn start_worker(command: &mut Command) -> io::Result<Child> {
    let mut workers = WORKERS.lock().unwrap_or_else(|e| e.into_inner());
    let list = workers
        .as_mut()
        .ok_or_else(|| io::Error::new(io::ErrorKind::Interrupted, "the run was interrupted"))?;
    let child = command.spawn()?;
    list.push(child.id());
    Ok(child)
}

/// Forgets a worker process that ended.
pub fn remove_worker(pid: u32) {
    if let Some(list) = WORKERS.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        list.retain(|p| *p != pid);
    }
}

/// Notes an output being written, whose temporary files an interrupt removes.
pub fn add_output(path: PathBuf) {
    OUTPUTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashSet::new)
        .insert(path);
}
