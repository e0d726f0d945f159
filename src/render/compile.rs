//! typst's compile, started from the last build's answers.
//!
//! typst lays a document out again until what its pages ask of the document
//! (page numbers, counters, headings) stops changing: the first pass asks an
//! empty document, the second the first pass's, and an edit takes the two
//! passes a cold build takes. [`compile`] is `typst::compile` for pages,
//! with one difference: when the last build of the same report succeeded,
//! the first pass asks that build's document instead of an empty one. An
//! edit that moves no page number, counter or heading is then done after
//! that pass, which checks it as typst checks every pass (the answers the
//! pass was given are those of the document it made); one that moves them
//! takes the passes it needs, as typst's does. The answer checked is a fixed
//! point of the layout either way, and `tests/cli/incremental.rs` checks
//! that the session's last PDF is byte for byte a cold build's.

use std::sync::{Arc, Mutex};

use typst::World;
use typst::comemo::{Constraint, Track};
use typst::diag::{SourceDiagnostic, SourceResult, Warned};
use typst::ecow::EcoVec;
use typst::engine::{Engine, Route, Sink, Traced};
use typst::foundations::{Output, StyleChain, TargetElem};
use typst::introspection::{EmptyIntrospector, Introspector, MAX_ITERS};
use typst::utils::Protected;
use typst_layout::{PagedDocument, PagedIntrospector};

/// The last good document's answers, and the report they are of.
struct Seed {
    /// Which report (the caller's key: its folder and output).
    key: String,
    /// What its pages answered.
    introspector: Arc<PagedIntrospector>,
}

/// The answers of the last report this process typeset without errors.
static LAST: Mutex<Option<Seed>> = Mutex::new(None);

/// Forgets the last build's answers: the next compile starts as a cold one.
pub fn forget() {
    *LAST.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// Compiles a report's pages as `typst::compile` does, its first layout
/// pass given the answers of the last good build of the same `key`; the
/// layout passes it took come with the result.
pub fn compile(world: &dyn World, key: &str) -> (Warned<SourceResult<PagedDocument>>, usize) {
    let seed = LAST
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .filter(|s| s.key == key)
        .map(|s| Arc::clone(&s.introspector));
    let mut sink = Sink::new();
    let mut passes = 0;
    let output = compile_from(world, seed.as_deref(), &mut sink, &mut passes).map_err(deduplicate);
    // A failed build keeps the last good one's answers.
    if let Ok(doc) = &output {
        *LAST.lock().unwrap_or_else(|e| e.into_inner()) = Some(Seed {
            key: key.to_string(),
            introspector: Arc::clone(doc.introspector()),
        });
    }
    let warned = Warned {
        output,
        warnings: sink.warnings(),
    };
    (warned, passes)
}

/// typst's `compile_impl` for pages, the first pass asking `seed` when given.
fn compile_from(
    world: &dyn World,
    seed: Option<&PagedIntrospector>,
    sink: &mut Sink,
    passes: &mut usize,
) -> SourceResult<PagedDocument> {
    let world = world.track();
    let traced = Traced::default();
    let traced = traced.track();
    let library = world.library();
    let base = StyleChain::new(&library.styles);
    let target = TargetElem::target.set(PagedDocument::target()).wrap();
    let styles = base.chain(&target);
    let empty = EmptyIntrospector;
    let first: &dyn Introspector = match seed {
        Some(seed) => seed,
        None => &empty,
    };
    let main = world.main();
    let main = world.source(main).map_err(|e| {
        typst::ecow::eco_vec![SourceDiagnostic::error(
            typst::syntax::Span::detached(),
            typst::ecow::EcoString::from(e),
        )]
    })?;
    let content = typst_eval::eval(
        world,
        library,
        traced,
        sink.track_mut(),
        Route::default().track(),
        &main,
    )?
    .content();
    let mut history: Vec<PagedDocument> = Vec::with_capacity(MAX_ITERS);
    loop {
        let introspector: &dyn Introspector = match history.last() {
            Some(doc) => doc.introspector().as_ref(),
            None => first,
        };
        let constraint = Constraint::new();
        let mut subsink = Sink::new();
        let mut engine = Engine {
            library,
            world,
            introspector: Protected::new(introspector.track_with(&constraint)),
            traced,
            sink: subsink.track_mut(),
            route: Route::default(),
        };
        let document = PagedDocument::create(&mut engine, &content, styles)?;
        *passes += 1;
        if constraint.validate(document.introspector().as_ref() as &dyn Introspector) {
            sink.extend_from_sink(subsink);
            history.push(document);
            break;
        }
        if history.len() + 1 == MAX_ITERS {
            let mut introspectors = [first; MAX_ITERS + 1];
            for (slot, doc) in introspectors[1..].iter_mut().zip(&history) {
                *slot = doc.introspector().as_ref();
            }
            introspectors[MAX_ITERS] = document.introspector().as_ref();
            let warnings =
                typst::introspection::analyze(world, introspectors, subsink.introspections());
            sink.extend_from_sink(subsink);
            for warning in warnings {
                sink.warn(warning);
            }
            history.push(document);
            break;
        }
        history.push(document);
    }
    let delayed = sink.delayed();
    if !delayed.is_empty() {
        return Err(delayed);
    }
    Ok(history.pop().expect("at least one pass"))
}

/// Drops repeated diagnostics, as `typst::compile` does.
fn deduplicate(mut diags: EcoVec<SourceDiagnostic>) -> EcoVec<SourceDiagnostic> {
    let mut unique = std::collections::HashSet::new();
    diags.retain(|diag| unique.insert(typst::utils::hash128(&(&diag.span, &diag.message))));
    diags
}
