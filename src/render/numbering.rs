//! typst's heading counter, for the formats that lay out their own text:
//! the HTML page and the Word document number their headings as the PDF
//! does (`[numbering] headings = "1.1"`).

/// One number per level, stepped by each numbered heading as typst's
/// `counter(heading)` is; an unnumbered heading does not step it.
#[derive(Clone, Debug, Default)]
pub struct HeadingCounter(Vec<usize>);

impl HeadingCounter {
    /// Steps the counter for a numbered heading of `level` (1 for a
    /// chapter) and returns its number as typst's "1.1" numbering prints
    /// it: `2`, `2.1`, `7.1.1`. A level below one with no number yet
    /// counts it as 0, as typst does.
    pub fn step(&mut self, level: usize) -> String {
        let level = level.max(1);
        self.0.resize(level.max(self.0.len()), 0);
        self.0.truncate(level);
        self.0[level - 1] += 1;
        self.0
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(".")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_numbers_as_typst_does() {
        let mut c = HeadingCounter::default();
        let shown: Vec<String> = [1, 2, 2, 1, 2, 3, 3, 1, 3]
            .into_iter()
            .map(|l| c.step(l))
            .collect();
        assert_eq!(
            shown,
            [
                "1", "1.1", "1.2", "2", "2.1", "2.1.1", "2.1.2", "3", "3.0.1"
            ]
        );
    }
}
