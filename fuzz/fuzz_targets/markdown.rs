//! The Markdown converter on arbitrary text: no panic, problems inside the text,
//! and a tree that serialises.
#![no_main]

use std::collections::HashSet;

use auditpress::load::markdown::{self, Context, ImageSink};
use libfuzzer_sys::fuzz_target;

struct Images;

impl ImageSink for Images {
    fn resolve(&mut self, src: &str) -> Result<String, (String, String)> {
        Ok(format!("/assets/{}", src.len()))
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ids: HashSet<String> = ["TOB-X-1".to_string()].into();
    let mut images = Images;
    let mut cx = Context {
        ids: &ids,
        targets: &[],
        figure_prefix: "1".into(),
        figures: 0,
        images: &mut images,
        quotes: Some(markdown::Quotes::for_lang("de")),
    };
    let (blocks, problems) = markdown::parse(text, &mut cx);
    for p in &problems {
        assert!(
            text.get(p.range.clone()).is_some(),
            "bad range {:?}",
            p.range
        );
    }
    serde_json::to_string(&blocks).expect("the tree serialises");
});
