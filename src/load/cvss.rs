//! CVSS vectors (3.0, 3.1 and 4.0): validated, scored, and their
//! qualitative rating given.
//!
//! Every metric group of FIRST's vector forms is read (FORMAT 1.2): base,
//! temporal and environmental metrics in 3.x, threat, environmental and
//! supplemental metrics in 4.0. The score shown is the one the style asks
//! for (`[cvss] score`, FORMAT 1.3): by default that of the most specific
//! group given. The `cvss` crate validates the base metrics and scores 4.0;
//! the 3.x temporal and environmental equations, which it does not have,
//! are written out here as the v3.0 and v3.1 specifications (section 7)
//! give them, with each version's Roundup and 3.1's modified impact.

use crate::model::Cvss;
use crate::model::style::CvssScore;

/// The base metrics of 3.x, in the specification's order, with their names.
const V3_BASE: [(&str, &str); 8] = [
    ("AV", "Attack Vector"),
    ("AC", "Attack Complexity"),
    ("PR", "Privileges Required"),
    ("UI", "User Interaction"),
    ("S", "Scope"),
    ("C", "Confidentiality"),
    ("I", "Integrity"),
    ("A", "Availability"),
];

/// The temporal and environmental metrics of 3.x and the values each takes.
const V3_MORE: [(&str, &str, &[&str]); 14] = [
    ("E", "Exploit Code Maturity", &["X", "H", "F", "P", "U"]),
    ("RL", "Remediation Level", &["X", "U", "W", "T", "O"]),
    ("RC", "Report Confidence", &["X", "C", "R", "U"]),
    ("CR", "Confidentiality Requirement", &["X", "H", "M", "L"]),
    ("IR", "Integrity Requirement", &["X", "H", "M", "L"]),
    ("AR", "Availability Requirement", &["X", "H", "M", "L"]),
    ("MAV", "Modified Attack Vector", &["X", "N", "A", "L", "P"]),
    ("MAC", "Modified Attack Complexity", &["X", "L", "H"]),
    ("MPR", "Modified Privileges Required", &["X", "N", "L", "H"]),
    ("MUI", "Modified User Interaction", &["X", "N", "R"]),
    ("MS", "Modified Scope", &["X", "U", "C"]),
    ("MC", "Modified Confidentiality", &["X", "H", "L", "N"]),
    ("MI", "Modified Integrity", &["X", "H", "L", "N"]),
    ("MA", "Modified Availability", &["X", "H", "L", "N"]),
];

/// The base metrics of 4.0.
const V4_BASE: [&str; 11] = [
    "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
];

/// Reads a vector and scores it as `choice` says; the error is a message
/// that names the metric at fault, and a hint. A 4.0 vector shows its base
/// score or its most specific group's: 4.0 has no temporal score, and its
/// environmental score is FIRST's CVSS-BE or CVSS-BTE as given.
pub fn parse(text: &str, choice: CvssScore) -> Result<Cvss, (String, String)> {
    let text = text.trim();
    if text.starts_with("CVSS:3.0/") || text.starts_with("CVSS:3.1/") {
        return v3(text, choice);
    }
    let base_only = choice == CvssScore::Base;
    let parsed: cvss::Cvss = text.parse().map_err(|e| describe(text, &e))?;
    let cvss::Cvss::CvssV40(vector) = &parsed else {
        // The crate reads only 3.x and 4.0, and 3.x was handled above.
        return Err(describe(
            text,
            &cvss::Error::InvalidPrefix {
                prefix: text.to_string(),
            },
        ));
    };
    let base: cvss::v4::Vector = base_of_v4(text).parse().map_err(|e| describe(text, &e))?;
    let base_score = base.score().value();
    let (score, nomenclature) = if base_only {
        (base_score, base.nomenclature())
    } else {
        (vector.score().value(), vector.nomenclature())
    };
    let group = match nomenclature {
        cvss::v4::score::Nomenclature::CvssB => None,
        other => Some(other.to_string()),
    };
    Ok(Cvss {
        version: "4.0".into(),
        vector: text.to_string(),
        score,
        base: base_score,
        rating: rating(score).into(),
        group,
    })
}

/// A 4.0 vector with only its base metrics.
fn base_of_v4(text: &str) -> String {
    let mut parts = text.split('/');
    let prefix = parts.next().unwrap_or("");
    let kept: Vec<&str> = parts
        .filter(|m| V4_BASE.contains(&m.split(':').next().unwrap_or("")))
        .collect();
    format!("{prefix}/{}", kept.join("/"))
}

/// The qualitative rating of a score (CVSS v3.1 and v4.0 specifications).
fn rating(score: f64) -> &'static str {
    match score {
        s if s <= 0.0 => "None",
        s if s < 4.0 => "Low",
        s if s < 7.0 => "Medium",
        s if s < 9.0 => "High",
        _ => "Critical",
    }
}

/// Splits a 3.x vector into its base metrics (their values checked by the
/// crate) and the temporal and environmental ones (checked here: known,
/// valid). Every metric is given at most once, and every base metric is given.
#[allow(clippy::type_complexity)]
fn v3_metrics(text: &str) -> Result<(Vec<&str>, Vec<(&str, &str)>), (String, String)> {
    let mut base = Vec::new();
    let mut more: Vec<(&str, &str)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for metric in text.split('/').skip(1) {
        let (name, value) = metric.split_once(':').unwrap_or((metric, ""));
        let long = match V3_BASE.iter().find(|(n, _)| *n == name) {
            Some((_, long)) => *long,
            None => match V3_MORE.iter().find(|(n, _, _)| *n == name) {
                Some((_, long, values)) if !values.contains(&value) => {
                    return Err((
                        format!("invalid value \"{value}\" for CVSS metric {name} ({long})"),
                        format!("{name} takes one of {}", values.join(", ")),
                    ));
                }
                Some((_, long, _)) => *long,
                None => {
                    return Err(describe(
                        text,
                        &cvss::Error::UnknownMetric {
                            name: name.to_string(),
                        },
                    ));
                }
            },
        };
        // The metric groups are few: a linear look-up of what was seen is bounded.
        if seen.contains(&name) {
            return Err((
                format!("CVSS metric {name} ({long}) is given twice"),
                "give each metric once".into(),
            ));
        }
        seen.push(name);
        if V3_BASE.iter().any(|(n, _)| *n == name) {
            base.push(metric);
        } else {
            more.push((name, value));
        }
    }
    if let Some((name, long)) = V3_BASE.iter().find(|(n, _)| !seen.contains(n)) {
        return Err((
            format!("CVSS vector lacks the metric {name} ({long})"),
            format!(
                "a CVSS 3.x vector gives every base metric: {}",
                V3_BASE.map(|(n, _)| n).join(", ")
            ),
        ));
    }
    Ok((base, more))
}

/// Reads and scores a 3.0 or 3.1 vector.
fn v3(text: &str, choice: CvssScore) -> Result<Cvss, (String, String)> {
    let v31 = text.starts_with("CVSS:3.1/");
    let (base, more) = v3_metrics(text)?;
    let prefix = if v31 { "CVSS:3.1" } else { "CVSS:3.0" };
    // The crate checks the base metrics: each once, each with a valid value.
    let checked: cvss::Cvss = format!("{prefix}/{}", base.join("/"))
        .parse()
        .map_err(|e| describe(text, &e))?;
    let value = |name: &str| -> &str {
        base.iter()
            .find_map(|m| m.strip_prefix(name).and_then(|r| r.strip_prefix(':')))
            .unwrap_or("")
    };
    let metrics = V3Metrics {
        av: value("AV"),
        ac: value("AC"),
        pr: value("PR"),
        ui: value("UI"),
        s: value("S"),
        c: value("C"),
        i: value("I"),
        a: value("A"),
    };
    let scores = V3Scores::of(&metrics, &more, v31);
    debug_assert!(
        (scores.base - checked.score()).abs() < 1e-9,
        "the v3 base equations agree with the cvss crate"
    );
    let given = |group: &[(&str, &str, &[&str])]| {
        group
            .iter()
            .any(|(m, _, _)| more.iter().any(|(n, v)| n == m && *v != "X"))
    };
    let choice = match choice {
        CvssScore::MostSpecific if given(&V3_MORE[3..]) => CvssScore::Environmental,
        CvssScore::MostSpecific if given(&V3_MORE[..3]) => CvssScore::Temporal,
        other => other,
    };
    let (score, group) = match choice {
        CvssScore::Base | CvssScore::MostSpecific => (scores.base, None),
        CvssScore::Temporal => (scores.temporal, Some("temporal")),
        CvssScore::Environmental => (scores.environmental, Some("environmental")),
    };
    Ok(Cvss {
        version: if v31 { "3.1" } else { "3.0" }.into(),
        vector: text.to_string(),
        score,
        base: scores.base,
        rating: rating(score).into(),
        group: group.map(str::to_string),
    })
}

/// The three scores of a 3.x vector (specification, section 7).
struct V3Scores {
    base: f64,
    temporal: f64,
    /// With every modified metric not given Not Defined (its base value)
    /// and every requirement Medium, as FIRST's calculator computes it.
    environmental: f64,
}

impl V3Scores {
    fn of(metrics: &V3Metrics, more: &[(&str, &str)], v31: bool) -> Self {
        let given = |name: &str| more.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        let base = metrics.base(v31);
        let temporal = [
            weight_e(given("E")),
            weight_rl(given("RL")),
            weight_rc(given("RC")),
        ];
        let modified = V3Metrics {
            av: pick(given("MAV"), metrics.av),
            ac: pick(given("MAC"), metrics.ac),
            pr: pick(given("MPR"), metrics.pr),
            ui: pick(given("MUI"), metrics.ui),
            s: pick(given("MS"), metrics.s),
            c: pick(given("MC"), metrics.c),
            i: pick(given("MI"), metrics.i),
            a: pick(given("MA"), metrics.a),
        };
        let requirements = [
            weight_requirement(given("CR")),
            weight_requirement(given("IR")),
            weight_requirement(given("AR")),
        ];
        V3Scores {
            base,
            temporal: roundup(times(base, temporal), v31),
            environmental: modified.environmental(v31, requirements, temporal),
        }
    }
}

/// A modified metric's value: as given, or the base metric's when not
/// given or `X` (Not Defined).
fn pick<'t>(given: Option<&'t str>, base: &'t str) -> &'t str {
    match given {
        Some(v) if v != "X" => v,
        _ => base,
    }
}

/// The base (or modified base) metrics of a 3.x vector, as their codes.
struct V3Metrics<'a> {
    av: &'a str,
    ac: &'a str,
    pr: &'a str,
    ui: &'a str,
    s: &'a str,
    c: &'a str,
    i: &'a str,
    a: &'a str,
}

impl V3Metrics<'_> {
    fn changed(&self) -> bool {
        self.s == "C"
    }

    fn exploitability(&self) -> f64 {
        let av = match self.av {
            "N" => 0.85,
            "A" => 0.62,
            "L" => 0.55,
            _ => 0.2,
        };
        let ac = if self.ac == "L" { 0.77 } else { 0.44 };
        let pr = match (self.pr, self.changed()) {
            ("N", _) => 0.85,
            ("L", false) => 0.62,
            ("L", true) => 0.68,
            (_, false) => 0.27,
            (_, true) => 0.5,
        };
        let ui = if self.ui == "N" { 0.85 } else { 0.62 };
        8.22 * av * ac * pr * ui
    }

    fn cia(value: &str) -> f64 {
        match value {
            "H" => 0.56,
            "L" => 0.22,
            _ => 0.0,
        }
    }

    /// The base score (specification 7.1).
    fn base(&self, v31: bool) -> f64 {
        let iss =
            1.0 - (1.0 - Self::cia(self.c)) * (1.0 - Self::cia(self.i)) * (1.0 - Self::cia(self.a));
        let impact = if self.changed() {
            7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powf(15.0)
        } else {
            6.42 * iss
        };
        if impact <= 0.0 {
            return 0.0;
        }
        let sum = impact + self.exploitability();
        if self.changed() {
            roundup((1.08 * sum).min(10.0), v31)
        } else {
            roundup(sum.min(10.0), v31)
        }
    }

    /// The environmental score (specification 7.3) of the modified metrics.
    fn environmental(&self, v31: bool, requirements: [f64; 3], temporal: [f64; 3]) -> f64 {
        let [cr, ir, ar] = requirements;
        let miss = (1.0
            - (1.0 - cr * Self::cia(self.c))
                * (1.0 - ir * Self::cia(self.i))
                * (1.0 - ar * Self::cia(self.a)))
        .min(0.915);
        let impact = if !self.changed() {
            6.42 * miss
        } else if v31 {
            7.52 * (miss - 0.029) - 3.25 * (miss * 0.9731 - 0.02).powf(13.0)
        } else {
            7.52 * (miss - 0.029) - 3.25 * (miss - 0.02).powf(15.0)
        };
        if impact <= 0.0 {
            return 0.0;
        }
        let sum = impact + self.exploitability();
        let inner = if self.changed() {
            roundup((1.08 * sum).min(10.0), v31)
        } else {
            roundup(sum.min(10.0), v31)
        };
        roundup(times(inner, temporal), v31)
    }
}

/// A score times the temporal weights E, RL and RC, one after the other
/// as the specification writes it (and FIRST's calculators compute it: a
/// product taken in another order may differ in its last bit, and a
/// Roundup by a tenth).
fn times(score: f64, [e, rl, rc]: [f64; 3]) -> f64 {
    score * e * rl * rc
}

fn weight_e(v: Option<&str>) -> f64 {
    match v {
        Some("F") => 0.97,
        Some("P") => 0.94,
        Some("U") => 0.91,
        _ => 1.0,
    }
}

fn weight_rl(v: Option<&str>) -> f64 {
    match v {
        Some("W") => 0.97,
        Some("T") => 0.96,
        Some("O") => 0.95,
        _ => 1.0,
    }
}

fn weight_rc(v: Option<&str>) -> f64 {
    match v {
        Some("R") => 0.96,
        Some("U") => 0.92,
        _ => 1.0,
    }
}

fn weight_requirement(v: Option<&str>) -> f64 {
    match v {
        Some("H") => 1.5,
        Some("L") => 0.5,
        _ => 1.0,
    }
}

/// Rounds up to one decimal: v3.1's Roundup (Appendix A, exact in floating
/// point) or v3.0's ceiling.
fn roundup(x: f64, v31: bool) -> f64 {
    if v31 {
        let int = (x * 100_000.0).round() as i64;
        if int % 10_000 == 0 {
            int as f64 / 100_000.0
        } else {
            ((int / 10_000) + 1) as f64 / 10.0
        }
    } else {
        (x * 10.0).ceil() / 10.0
    }
}

/// Says what is wrong with a vector, naming the metric at fault.
fn describe(text: &str, e: &cvss::Error) -> (String, String) {
    let spec = if text.starts_with("CVSS:4.0/") {
        "the CVSS v4.0 specification"
    } else {
        "the CVSS v3.1 specification"
    };
    let hint = format!(
        "write the vector as {spec} gives it, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    );
    let message = match e {
        cvss::Error::InvalidMetric { metric_type, value } => format!(
            "invalid value \"{value}\" for CVSS metric {} ({})",
            metric_type.name(),
            metric_type.description()
        ),
        cvss::Error::InvalidMetricV4 { metric_type, value } => format!(
            "invalid value \"{value}\" for CVSS metric {} ({})",
            metric_type.name(),
            metric_type.description()
        ),
        cvss::Error::MissingMandatoryMetricV4 { metric_type } => format!(
            "CVSS vector lacks the metric {} ({})",
            metric_type.name(),
            metric_type.description()
        ),
        cvss::Error::DuplicateMetricV4 { metric_type } => format!(
            "CVSS metric {} ({}) is given twice",
            metric_type.name(),
            metric_type.description()
        ),
        cvss::Error::UnknownMetric { name } => format!("unknown CVSS metric \"{name}\""),
        cvss::Error::InvalidPrefix { .. } | cvss::Error::UnsupportedVersion { .. } => format!(
            "not a CVSS 3.0, 3.1 or 4.0 vector: \"{}\"",
            text.split('/').next().unwrap_or(text)
        ),
        other => format!("invalid CVSS vector ({other})"),
    };
    (message, hint)
}

#[cfg(test)]
mod tests {
    use super::{CvssScore, parse};

    fn parse_v(text: &str) -> Result<crate::model::Cvss, (String, String)> {
        parse(text, CvssScore::MostSpecific)
    }

    /// Examples of the FIRST specifications with the base scores they give.
    #[test]
    fn vectors_of_the_specifications_score_as_they_say() {
        for (vector, score, rating) in [
            // CVSS v3.1 specification, section 7 (examples): CVE-2014-0160 "Heartbleed" 7.5
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, "High"),
            // the highest v3.1 base score
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
                10.0,
                "Critical",
            ),
            // v3.1 user guide: CVE-2013-1937 (phpMyAdmin reflected XSS) 6.1
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
                6.1,
                "Medium",
            ),
            (
                "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                9.8,
                "Critical",
            ),
            // CVSS v4.0 specification: the highest base score, and a network-only confidentiality loss
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
                10.0,
                "Critical",
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
                "Critical",
            ),
            (
                "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                8.5,
                "High",
            ),
        ] {
            let c = parse_v(vector).unwrap_or_else(|e| panic!("{vector}: {e:?}"));
            assert_eq!((c.score, c.rating.as_str()), (score, rating), "{vector}");
        }
    }

    #[test]
    fn a_malformed_vector_names_its_metric() {
        let (message, _) = parse_v("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap_err();
        assert!(
            message.contains("\"X\"") && message.contains("AV (Attack Vector)"),
            "{message}"
        );
        let (message, _) =
            parse_v("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N").unwrap_err();
        assert!(message.contains("SA"), "{message}");
        let (message, _) = parse_v("CVSS:2.0/AV:N").unwrap_err();
        assert!(message.starts_with("not a CVSS"), "{message}");
    }

    #[test]
    fn a_3x_vector_gives_every_base_metric_once() {
        let (message, hint) = parse_v("CVSS:3.1/AV:N/AC:L").unwrap_err();
        assert_eq!(
            message,
            "CVSS vector lacks the metric PR (Privileges Required)"
        );
        assert!(hint.contains("AV, AC, PR, UI, S, C, I, A"), "{hint}");
        let (message, _) = parse_v("CVSS:3.0/C:H").unwrap_err();
        assert_eq!(message, "CVSS vector lacks the metric AV (Attack Vector)");
        let (message, _) =
            parse_v("CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap_err();
        assert_eq!(message, "CVSS metric AV (Attack Vector) is given twice");
        let (message, _) =
            parse_v("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/E:U").unwrap_err();
        assert_eq!(
            message,
            "CVSS metric E (Exploit Code Maturity) is given twice"
        );
        // In any order, every base metric once: scored.
        let c = parse_v("CVSS:3.1/A:N/I:N/C:H/S:U/UI:N/PR:N/AC:L/AV:N").unwrap();
        assert_eq!(c.score, 7.5);
    }
}

#[cfg(test)]
mod groups {
    use super::{CvssScore, parse};

    /// Temporal and environmental scores by the equations of the v3.1 and
    /// v3.0 specifications (section 7), worked by hand for each vector.
    #[test]
    fn every_metric_group_of_3x_scores_as_first_computes() {
        for (vector, base, score, group) in [
            // X41's vector: base 9.0; E:U gives 9.0 x 0.91 = 8.19, rounded up.
            (
                "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H/E:U/RC:C",
                9.0,
                8.2,
                Some("temporal"),
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C",
                9.8,
                8.8,
                Some("temporal"),
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/RC:U",
                7.5,
                6.9,
                Some("temporal"),
            ),
            // Environmental: requirements and modified metrics.
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:L/IR:L/AR:L",
                9.8,
                8.0,
                Some("environmental"),
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MAV:L",
                9.8,
                8.4,
                Some("environmental"),
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N/MS:C/CR:H",
                6.5,
                7.9,
                Some("environmental"),
            ),
            (
                "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:F/RL:T/RC:R",
                9.8,
                8.8,
                Some("temporal"),
            ),
            // X everywhere is the base score.
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/E:X/CR:X",
                7.5,
                7.5,
                None,
            ),
        ] {
            let c = parse(vector, CvssScore::MostSpecific)
                .unwrap_or_else(|e| panic!("{vector}: {e:?}"));
            assert_eq!(
                (c.base, c.score, c.group.as_deref()),
                (base, score, group),
                "{vector}"
            );
            let b = parse(vector, CvssScore::Base).unwrap();
            assert_eq!(
                (b.score, b.group),
                (base, None),
                "{vector} with score = base"
            );
        }
    }

    #[test]
    fn a_4_0_vector_with_threat_metrics_is_cvss_bt() {
        let c = parse(
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",
            CvssScore::MostSpecific,
        )
        .unwrap();
        assert_eq!(c.group.as_deref(), Some("CVSS-BT"));
        assert_eq!(c.base, 9.3);
        assert!(c.score < 9.3, "{}", c.score);
        let b = parse(
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",
            CvssScore::Base,
        )
        .unwrap();
        assert_eq!((b.score, b.group), (9.3, None));
    }

    #[test]
    fn a_bad_temporal_value_names_its_metric() {
        let (message, hint) = parse(
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z",
            CvssScore::MostSpecific,
        )
        .unwrap_err();
        assert!(message.contains("E (Exploit Code Maturity)"), "{message}");
        assert!(hint.contains("X, H, F, P, U"), "{hint}");
    }
}

#[cfg(test)]
mod first {
    //! FIRST's published examples and its calculators' scores
    //! (first.org/cvss/calculator/3.0 and 3.1: base, temporal, environmental).
    use super::{CvssScore, parse};

    /// The base, temporal and environmental scores of a vector, as `[cvss]
    /// score` chooses each.
    fn three(vector: &str) -> [f64; 3] {
        [
            CvssScore::Base,
            CvssScore::Temporal,
            CvssScore::Environmental,
        ]
        .map(|choice| {
            parse(vector, choice)
                .unwrap_or_else(|e| panic!("{vector}: {e:?}"))
                .score
        })
    }

    /// The 21 examples of FIRST's "CVSS v3.0 Examples", which "CVSS v3.1
    /// Examples" scores again, with their scores in FIRST's calculators. The
    /// documents give the base metrics and score; with no temporal or
    /// environmental metric, the temporal score is the base score and the
    /// environmental score is computed with every modified metric Not
    /// Defined, which 3.1's modified impact (0.9731, exponent 13) sets above
    /// the base score for two of them (Scope Changed, high impact).
    #[test]
    fn the_examples_of_first_score_as_its_calculators() {
        #[rustfmt::skip]
        let examples: [(&str, [f64; 3], [f64; 3]); 21] = [
            // CVE-2013-1937 phpMyAdmin reflected XSS
            ("AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", [6.1, 6.1, 6.1], [6.1, 6.1, 6.1]),
            // CVE-2013-0375 MySQL stored SQL injection
            ("AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", [6.4, 6.4, 6.4], [6.4, 6.4, 6.4]),
            // CVE-2014-3566 SSLv3 POODLE
            ("AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", [3.1, 3.1, 3.1], [3.1, 3.1, 3.1]),
            // CVE-2012-1516 VMware guest to host escape
            ("AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", [9.9, 9.9, 9.9], [9.9, 9.9, 10.0]),
            // CVE-2009-0783 Apache Tomcat XML parser
            ("AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", [4.2, 4.2, 4.2], [4.2, 4.2, 4.2]),
            // CVE-2012-0384 Cisco IOS command execution
            ("AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", [8.8, 8.8, 8.8], [8.8, 8.8, 8.8]),
            // CVE-2015-1098 Apple iWork denial of service
            ("AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", [7.8, 7.8, 7.8], [7.8, 7.8, 7.8]),
            // CVE-2014-0160 OpenSSL Heartbleed
            ("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", [7.5, 7.5, 7.5], [7.5, 7.5, 7.5]),
            // CVE-2014-6271 GNU Bash Shellshock
            ("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", [9.8, 9.8, 9.8], [9.8, 9.8, 9.8]),
            // CVE-2008-1447 DNS Kaminsky bug
            ("AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", [6.8, 6.8, 6.8], [6.8, 6.8, 6.8]),
            // CVE-2014-2005 Sophos login screen bypass
            ("AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", [6.8, 6.8, 6.8], [6.8, 6.8, 6.8]),
            // CVE-2010-0467 Joomla directory traversal
            ("AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", [5.8, 5.8, 5.8], [5.8, 5.8, 5.8]),
            // CVE-2012-1342 Cisco access control bypass
            ("AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N", [5.8, 5.8, 5.8], [5.8, 5.8, 5.8]),
            // CVE-2013-6014 Juniper proxy ARP denial of service
            ("AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H", [9.3, 9.3, 9.3], [9.3, 9.3, 9.3]),
            // CVE-2014-9253 DokuWiki reflected XSS
            ("AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", [5.4, 5.4, 5.4], [5.4, 5.4, 5.4]),
            // CVE-2009-0658 Adobe Acrobat buffer overflow
            ("AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", [7.8, 7.8, 7.8], [7.8, 7.8, 7.8]),
            // CVE-2011-1265 Microsoft Windows Bluetooth RCE
            ("AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", [8.8, 8.8, 8.8], [8.8, 8.8, 8.8]),
            // CVE-2014-2019 Apple iOS security control bypass
            ("AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", [4.6, 4.6, 4.6], [4.6, 4.6, 4.6]),
            // CVE-2015-0970 SearchBlox cross-site request forgery
            ("AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", [8.8, 8.8, 8.8], [8.8, 8.8, 8.8]),
            // CVE-2014-0224 OpenSSL CCS injection
            ("AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", [7.4, 7.4, 7.4], [7.4, 7.4, 7.4]),
            // CVE-2012-5376 Google Chrome sandbox bypass
            ("AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H", [9.6, 9.6, 9.6], [9.6, 9.6, 9.7]),
        ];
        for (metrics, v30, v31) in examples {
            for (version, want) in [("3.0", v30), ("3.1", v31)] {
                let vector = format!("CVSS:{version}/{metrics}");
                assert_eq!(three(&vector), want, "{vector}");
                let shown = parse(&vector, CvssScore::MostSpecific).unwrap();
                assert_eq!((shown.score, shown.group), (want[0], None), "{vector}");
            }
        }
    }

    /// Vectors with temporal and environmental metrics, with the scores of
    /// FIRST's calculators; the first three are also worked by hand below.
    #[test]
    fn temporal_and_environmental_metrics_score_as_first_calculates() {
        #[rustfmt::skip]
        let vectors: [(&str, [f64; 3]); 17] = [
            // X41's vector: it prints 8.3, the environmental score.
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H/E:U/RC:C", [9.0, 8.2, 8.3]),
            // The same in 3.0: its modified impact is the base impact's.
            ("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H/E:U/RC:C", [9.0, 8.2, 8.2]),
            ("CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:C/C:H/I:H/A:H", [7.5, 7.5, 7.6]),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N/MS:C/MC:H/MI:H/MA:H/CR:H/IR:H/AR:H", [5.4, 5.4, 9.7]),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N/E:U/RL:O/RC:U/MAV:N/MAC:L/MPR:N/MUI:N/MS:C/MC:H/MI:H/MA:H/CR:H/IR:H/AR:H", [1.6, 1.3, 8.0]),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/MC:N/MI:N/MA:N", [10.0, 10.0, 0.0]),
            ("CVSS:3.1/AV:P/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N/E:F/RL:T/RC:X/CR:X/AR:H/MAC:H/MUI:N/MS:C/MC:X/MA:X", [2.9, 2.8, 3.4]),
            ("CVSS:3.1/AV:A/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N/E:X/RL:U/RC:U/CR:L/IR:X/AR:L/MAV:P/MAC:L/MUI:X/MS:C/MC:L/MI:N/MA:N", [3.5, 3.3, 1.3]),
            ("CVSS:3.1/AV:A/AC:H/PR:H/UI:R/S:U/C:H/I:L/A:N/E:H/RC:C/CR:L/MUI:X/MS:C/MA:H", [4.6, 4.6, 6.6]),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C", [9.8, 8.8, 8.8]),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:L/IR:L/AR:L", [9.8, 9.8, 8.0]),
            // The environmental vectors of cvsslib's tests, in FIRST's 3.0 calculator.
            ("CVSS:3.0/AV:L/AC:L/PR:H/UI:R/S:U/C:H/I:N/A:H/E:H/RL:W/RC:U/CR:H/IR:H/AR:M/MAV:L/MAC:L/MPR:H/MUI:N/MS:C/MC:N/MI:H/MA:L", [5.8, 5.2, 7.4]),
            ("CVSS:3.0/AV:L/AC:H/PR:L/UI:N/S:C/C:H/I:H/A:L/E:U/RL:U/RC:R/CR:M/MPR:L/MUI:R/MI:N/MA:H", [7.7, 6.8, 6.3]),
            ("CVSS:3.0/AV:L/AC:H/PR:H/UI:N/S:C/C:N/I:H/A:N/E:P/RL:U/RC:U/CR:H/IR:L/AR:H/MAV:L/MUI:R/MS:C/MC:N/MI:L/MA:N", [5.3, 4.6, 1.3]),
            ("CVSS:3.0/AV:L/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N/MAV:A/MAC:L/MPR:N/MUI:N/MS:U/MC:N/MI:N/MA:N", [4.6, 4.6, 0.0]),
            // 3.0's calculator rounds up in floating point: 2.3 and 9.2 in
            // exact arithmetic print as 2.4 and 9.3, as FIRST's 3.0
            // calculator shows them (3.1's Roundup ended that).
            ("CVSS:3.0/AV:N/AC:H/PR:L/UI:R/S:C/C:N/I:L/A:N/RC:U/CR:H/MAV:L/MUI:R/MC:X", [3.0, 2.8, 2.4]),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:N/RC:U/IR:M/AR:X/MAC:L/MPR:H/MA:N", [10.0, 9.3, 8.1]),
        ];
        for (vector, want) in vectors {
            assert_eq!(three(vector), want, "{vector}");
        }
    }

    /// The environmental scores of the first three vectors above, worked by
    /// hand with the equations of the specifications (section 7.3):
    ///
    /// `AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H`, nothing modified: MISS =
    /// min(1 − 0.44³, 0.915) = 0.914816; exploitability 8.22 × 0.85 × 0.44 ×
    /// 0.85 × 0.85 = 2.22115. 3.1: modified impact 7.52 × 0.885816 − 3.25 ×
    /// (0.914816 × 0.9731 − 0.02)¹³ = 6.66134 − 0.53336 = 6.12798; Roundup(1.08
    /// × 8.34913 = 9.01706) = 9.1; × E:U 0.91 = 8.281, Roundup 8.3. 3.0:
    /// modified impact 7.52 × 0.885816 − 3.25 × 0.894816¹⁵ = 6.04771 (the base
    /// impact); 1.08 × 8.26886 = 8.93037, 9.0; × 0.91 = 8.19, 8.2.
    ///
    /// `AV:L/AC:H/PR:L/UI:R/S:C/C:H/I:H/A:H`: exploitability 8.22 × 0.55 ×
    /// 0.44 × 0.68 × 0.62 = 0.838664; base 1.08 × (6.04771 + 0.838664) =
    /// 7.43728, 7.5; environmental (3.1) 1.08 × (6.12798 + 0.838664) = 7.52398,
    /// 7.6.
    #[test]
    fn worked_by_hand() {
        let x41 = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H/E:U/RC:C";
        let shown = parse(x41, CvssScore::Environmental).unwrap();
        assert_eq!(
            (shown.score, shown.rating.as_str(), shown.group.as_deref()),
            (8.3, "High", Some("environmental"))
        );
        let shown = parse(x41, CvssScore::Temporal).unwrap();
        assert_eq!(
            (shown.score, shown.group.as_deref()),
            (8.2, Some("temporal"))
        );
        // The most specific group given is temporal.
        let shown = parse(x41, CvssScore::MostSpecific).unwrap();
        assert_eq!(
            (shown.score, shown.group.as_deref()),
            (8.2, Some("temporal"))
        );
        let local = "CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:C/C:H/I:H/A:H";
        assert_eq!(parse(local, CvssScore::Environmental).unwrap().score, 7.6);
        assert_eq!(parse(local, CvssScore::MostSpecific).unwrap().score, 7.5);
    }
}
