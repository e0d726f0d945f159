//! CVSS vectors (3.0, 3.1 and 4.0), read with the `cvss` crate: validated,
//! scored, and their qualitative rating given.

use crate::model::Cvss;

/// Reads a vector; the error is a message that names the metric at fault, and a hint.
pub fn parse(text: &str) -> Result<Cvss, (String, String)> {
    let text = text.trim();
    let parsed: cvss::Cvss = text.parse().map_err(|e| describe(text, &e))?;
    let version = match &parsed {
        cvss::Cvss::CvssV30(_) => "3.0",
        cvss::Cvss::CvssV31(_) => "3.1",
        _ => "4.0",
    };
    let rating = match parsed.severity() {
        cvss::Severity::None => "None",
        cvss::Severity::Low => "Low",
        cvss::Severity::Medium => "Medium",
        cvss::Severity::High => "High",
        cvss::Severity::Critical => "Critical",
    };
    Ok(Cvss {
        version: version.into(),
        vector: text.to_string(),
        score: parsed.score(),
        rating: rating.into(),
    })
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
            let c = parse(vector).unwrap_or_else(|e| panic!("{vector}: {e:?}"));
            assert_eq!((c.score, c.rating.as_str()), (score, rating), "{vector}");
        }
    }

    #[test]
    fn a_malformed_vector_names_its_metric() {
        let (message, _) = parse("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap_err();
        assert!(
            message.contains("\"X\"") && message.contains("AV (Attack Vector)"),
            "{message}"
        );
        let (message, _) =
            parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N").unwrap_err();
        assert!(message.contains("SA"), "{message}");
        let (message, _) = parse("CVSS:2.0/AV:N").unwrap_err();
        assert!(message.starts_with("not a CVSS"), "{message}");
    }
}
