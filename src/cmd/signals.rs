//! Clean ends on Ctrl-C and `kill`: no worker left behind, nothing half-written.
//!
//! SIGINT and SIGTERM are caught by a handler that only writes the signal's
//! number to a pipe (all a handler may safely do). A thread waiting on that
//! pipe then kills the worker processes, waits for them, removes the
//! temporary files of the outputs being written, and ends the process with
//! the status a shell expects: 130 for SIGINT, 143 for SIGTERM. Every PDF
//! finished before stays as it is: outputs are only ever renamed into place.

use std::collections::HashSet;
use std::io;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Mutex, Once};

use crate::output;

/// Process ids of the running worker processes; `None` once the run is stopping.
static WORKERS: Mutex<Option<Vec<u32>>> = Mutex::new(Some(Vec::new()));

/// Outputs this run writes, whose temporary files a signal must remove.
static OUTPUTS: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

/// The pipe the handler writes to: its read end and its write end.
static PIPE_READ: AtomicI32 = AtomicI32::new(-1);
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);

static INSTALL: Once = Once::new();

extern "C" fn on_signal(signal: libc::c_int) {
    let byte = signal as u8;
    // SAFETY: write(2) and an atomic load are async-signal-safe; the pipe is
    // made before the handler is installed.
    unsafe {
        libc::write(
            PIPE_WRITE.load(Ordering::Relaxed),
            (&byte as *const u8).cast(),
            1,
        );
    }
}

/// Catches SIGINT and SIGTERM for the rest of the process (once).
pub fn install() {
    INSTALL.call_once(|| {
        // SAFETY: plain libc calls on our own file descriptors and handler.
        unsafe {
            let mut fds = [-1; 2];
            // Close-on-exec: no worker or opened viewer inherits either end.
            if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
                return;
            }
            PIPE_READ.store(fds[0], Ordering::Relaxed);
            PIPE_WRITE.store(fds[1], Ordering::Relaxed);
            let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::signal(libc::SIGINT, handler);
            libc::signal(libc::SIGTERM, handler);
        }
        std::thread::spawn(|| {
            let mut byte = 0u8;
            // SAFETY: reads one byte from our pipe into a local.
            let read = unsafe {
                libc::read(
                    PIPE_READ.load(Ordering::Relaxed),
                    (&mut byte as *mut u8).cast(),
                    1,
                )
            };
            if read == 1 {
                stop(libc::c_int::from(byte));
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
fn stop(signal: libc::c_int) -> ! {
    STOPPING.store(true, Ordering::SeqCst);
    // Taking the list under its lock also stops new workers from starting.
    let workers = WORKERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .unwrap_or_default();
    for pid in &workers {
        // SAFETY: kill(2) and waitpid(2) on our own children.
        unsafe {
            libc::kill(*pid as libc::pid_t, libc::SIGKILL);
            libc::waitpid(*pid as libc::pid_t, std::ptr::null_mut(), 0);
        }
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
