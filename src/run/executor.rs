//! Where a report is built: the [`Executor`], which builds each job in this
//! process or in a worker process it keeps between builds. The pool gives
//! one to each build thread, and watch and serve hold one for the session.

use super::Config;
use super::worker::Worker;
use crate::naming::Claims;
use crate::pipeline::{self, Built, Job, Outcome};
use crate::render::preview::Preview;

/// Builds reports in one place, chosen once from the config: in a worker
/// process for isolated builds (PDFs), else in this process.
pub enum Executor {
    /// Builds in this process: checks and dumps, which never typeset.
    InProcess,
    /// Builds in a worker process, started at the first build and replaced
    /// after one that died or was stopped; `None` until then.
    Worker(Option<Worker>),
}

impl Executor {
    /// The executor the builds of a config run in.
    pub fn new(config: &Config) -> Self {
        if config.isolated() {
            Executor::Worker(None)
        } else {
            Executor::InProcess
        }
    }

    /// Builds one job; `early` gets the live preview's pages as soon as
    /// they are laid out, before the documents are exported.
    pub fn build(
        &mut self,
        job: &Job,
        config: &Config,
        claims: &dyn Claims,
        early: &mut dyn FnMut(&Preview),
    ) -> Built {
        match self {
            Executor::InProcess => pipeline::compile(job, &config.options, claims, early),
            Executor::Worker(slot) => {
                let start = std::time::Instant::now();
                if slot.is_none() {
                    match Worker::spawn(config.memory_limit) {
                        Ok(w) => *slot = Some(w),
                        Err(e) => {
                            return Built::failed(
                                Outcome::Retry,
                                format!("cannot start a build process ({e})"),
                                "check that the auditpress executable is still in place",
                                start.elapsed(),
                            );
                        }
                    }
                }
                let worker = slot.take().expect("just started");
                let (built, alive) = worker.build(job, config, claims, early, start);
                *slot = alive;
                built
            }
        }
    }
}
