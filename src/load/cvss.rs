//! CVSS vectors (3.0, 3.1 and 4.0): validated, scored, and their
//! qualitative rating given.
//!
//! Every metric group of FIRST's vector forms is read (FORMAT 1.2): base,
//! temporal and environmental metrics in 3.x, threat, environmental and
//! supplemental metrics in 4.0. The score shown is that of the most
//! specific group given, unless the style asks for the base score. The
//! `cvss` crate validates the base metrics and scores 4.0; the 3.x temporal
//! and environmental equations, which it does not have, are written out
//! here as the v3.0 and v3.1 specifications (section 7) give them.

use crate::model::Cvss;

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

/// Reads a vector and scores its most specific metric group (or its base
/// group, with `base_only`); the error is a message that names the metric
/// at fault, and a hint.
pub fn parse(text: &str, base_only: bool) -> Result<Cvss, (String, String)> {
    let text = text.trim();
    if text.starts_with("CVSS:3.0/") || text.starts_with("CVSS:3.1/") {
        return v3(text, base_only);
    }
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
fn v3(text: &str, base_only: bool) -> Result<Cvss, (String, String)> {
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
    let given = |name: &str| more.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
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
    let base_score = metrics.base(v31);
    debug_assert!(
        (base_score - checked.score()).abs() < 1e-9,
        "the v3 base equations agree with the cvss crate"
    );
    let temporal_factor = weight_e(given("E")) * weight_rl(given("RL")) * weight_rc(given("RC"));
    let temporal = ["E", "RL", "RC"]
        .iter()
        .any(|m| given(m).is_some_and(|v| v != "X"));
    let environmental = V3_MORE[3..]
        .iter()
        .any(|(m, _, _)| given(m).is_some_and(|v| v != "X"));
    let (score, group) = if base_only {
        (base_score, None)
    } else if environmental {
        let env = V3Metrics {
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
        (
            env.environmental(v31, requirements, temporal_factor),
            Some("environmental".to_string()),
        )
    } else if temporal {
        (
            roundup(base_score * temporal_factor, v31),
            Some("temporal".to_string()),
        )
    } else {
        (base_score, None)
    };
    Ok(Cvss {
        version: if v31 { "3.1" } else { "3.0" }.into(),
        vector: text.to_string(),
        score,
        base: base_score,
        rating: rating(score).into(),
        group,
    })
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
            7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
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
    fn environmental(&self, v31: bool, requirements: [f64; 3], temporal: f64) -> f64 {
        let [cr, ir, ar] = requirements;
        let miss = (1.0
            - (1.0 - cr * Self::cia(self.c))
                * (1.0 - ir * Self::cia(self.i))
                * (1.0 - ar * Self::cia(self.a)))
        .min(0.915);
        let impact = if !self.changed() {
            6.42 * miss
        } else if v31 {
            7.52 * (miss - 0.029) - 3.25 * (miss * 0.9731 - 0.02).powi(13)
        } else {
            7.52 * (miss - 0.029) - 3.25 * (miss - 0.02).powi(15)
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
        roundup(inner * temporal, v31)
    }
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
    use super::parse;

    fn parse_v(text: &str) -> Result<crate::model::Cvss, (String, String)> {
        parse(text, false)
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
            let c = parse(vector, false).unwrap_or_else(|e| panic!("{vector}: {e:?}"));
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
    use super::parse;

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
            let c = parse(vector, false).unwrap_or_else(|e| panic!("{vector}: {e:?}"));
            assert_eq!(
                (c.base, c.score, c.group.as_deref()),
                (base, score, group),
                "{vector}"
            );
            let b = parse(vector, true).unwrap();
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
            false,
        )
        .unwrap();
        assert_eq!(c.group.as_deref(), Some("CVSS-BT"));
        assert_eq!(c.base, 9.3);
        assert!(c.score < 9.3, "{}", c.score);
        let b = parse(
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",
            true,
        )
        .unwrap();
        assert_eq!((b.score, b.group), (9.3, None));
    }

    #[test]
    fn a_bad_temporal_value_names_its_metric() {
        let (message, hint) =
            parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z", false).unwrap_err();
        assert!(message.contains("E (Exploit Code Maturity)"), "{message}");
        assert!(hint.contains("X, H, F, P, U"), "{hint}");
    }
}
