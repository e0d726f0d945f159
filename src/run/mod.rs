//! Where the reports of a command are built: the pool of build threads, the
//! executor that builds each job in this process or in a worker process, the
//! worker processes and their protocol, the signals that end a run cleanly,
//! and the one reporter that prints what each step found.

pub mod executor;
pub mod pool;
pub mod report;
pub mod signals;
pub mod worker;
