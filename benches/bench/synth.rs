//! The synthetic audits the bench measures: realistic prose, a code block in
//! every other finding, a full maturity table.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Sentences the synthetic findings are made of.
const PROSE: &[&str] = &[
    "The handler trusts a length field read from the network and allocates a buffer of that size before validating it.",
    "An attacker who controls the request can make the service read past the end of the buffer.",
    "The configuration loader accepts relative paths, which lets a tenant administrator point the agent at files outside its directory.",
    "Session tokens are compared with a function whose running time depends on the number of matching bytes.",
    "Errors from the storage layer are logged together with the value being written, which may be a secret.",
    "The retry loop has no upper bound, so a peer that always fails keeps a worker busy forever.",
];

const TITLES: &[&str] = &[
    "Unbounded allocation in the frame decoder",
    "Path traversal in manifest entries",
    "Non-constant-time token comparison",
    "Secrets written to logs on error",
    "Unbounded retries exhaust workers",
    "Missing authorization check on export",
];

const CODE: &str = "func decode(r io.Reader) ([]byte, error) {\n\tvar n uint32\n\tif err := binary.Read(r, binary.BigEndian, &n); err != nil {\n\t\treturn nil, err\n\t}\n\tbuf := make([]byte, n) // n comes from the peer\n\tif _, err := io.ReadFull(r, buf); err != nil {\n\t\treturn nil, fmt.Errorf(\"read frame: %w\", err)\n\t}\n\treturn buf, nil\n}";

/// Writes a synthetic audit folder with `n` findings.
pub fn synthesize(dir: &Path, n: usize) -> std::io::Result<()> {
    synthesize_seeded(dir, n, 0)
}

/// The write-up of synthetic finding `i` drawn with `seed`: its prose, a
/// code block every other finding, and its recommendations.
fn finding_text(i: usize, seed: usize) -> String {
    let para = |k: usize| {
        let mut text = (0..4)
            .map(|j| PROSE[(i + k + j * (1 + seed % 3) + seed) % PROSE.len()])
            .collect::<Vec<_>>()
            .join(" ");
        // Another client's code: its own names in every paragraph.
        if seed > 0 {
            text.push_str(&format!(
                " The code in question is `client{seed}::module{i}::part{k}`, reviewed at revision r{}.",
                seed * 1000 + i * 10 + k
            ));
        }
        text
    };
    let mut md = format!("## Description\n\n{}\n\n", para(0));
    if i % 2 == 1 {
        md.push_str(&format!(
            "```go {{start={} highlight=\"{}\"}}\n{CODE}\n```\n*Figure {i}.1: The decoder in `svc/internal/wire/frame.go#{}–{}`*\n\n",
            40 + i,
            45 + i,
            40 + i,
            50 + i
        ));
    }
    md.push_str(&format!(
        "## Exploit Scenario\n\nAn attacker sends a crafted request. {}\n\n## Recommendations\n\n**Short term,** {}\n\n**Long term,** {}\n",
        para(1),
        para(2),
        para(3)
    ));
    md
}

/// Writes a synthetic audit folder with `n` findings whose titles, ratings
/// and paragraphs are drawn with `seed`, so that folders of different seeds
/// differ in their findings, as the audits of different clients do.
pub(super) fn synthesize_seeded(dir: &Path, n: usize, seed: usize) -> std::io::Result<()> {
    fs::create_dir_all(dir.join("findings"))?;
    // Distinct titles give distinct output names when many are built at once.
    let name = dir
        .file_name()
        .map_or("audit".into(), |n| n.to_string_lossy());
    fs::write(
        dir.join("audit.toml"),
        format!(
            "title = \"Synthetic {name}\"\ndate = 2025-01-31\nvendor = \"Bench Security\"\nid_prefix = \"SYN\"\n\
             goals = [\"Can an attacker read another tenant's data?\"]\n\
             [client]\norganization = \"Bench Client\"\nprepared_for = [\"A. Client\"]\nprepared_by = [\"B. Auditor\"]\n\
             [engagement]\nstart = 2025-01-06\nend = 2025-01-24\n\
             [[targets]]\nname = \"svc\"\nrepository = \"https://github.com/bench/svc\"\nversion = \"0123456789abcdef0123456789abcdef01234567\"\n"
        ),
    )?;
    let severities = ["High", "Medium", "Low", "Informational", "Undetermined"];
    let difficulties = ["High", "Medium", "Low", "Undetermined", "N/A"];
    let types = [
        "Data Validation",
        "Access Controls",
        "Cryptography",
        "Denial of Service",
        "Configuration",
    ];
    let mut csv = String::from("id,title,severity,difficulty,type,target\n");
    for i in 1..=n {
        let pick = |list: &[&'static str], salt: usize| list[(i * 7 + salt + seed) % list.len()];
        writeln!(
            csv,
            "SYN-{i},{} ({i}),{},{},{},svc/internal/pkg{}/file.go#{}–{}",
            pick(TITLES, 0),
            pick(&severities, 1),
            pick(&difficulties, 2),
            pick(&types, 3),
            i % 9,
            10 + i,
            20 + i
        )
        .ok();
        fs::write(
            dir.join(format!("findings/SYN-{i}.md")),
            finding_text(i, seed),
        )?;
    }
    fs::write(dir.join("findings.csv"), csv)?;
    let mut maturity = String::from("category,rating,summary\n");
    let standard = auditpress::load::style::builtin("standard").expect("standard is built in");
    for (k, category) in standard.categories.names().iter().enumerate() {
        writeln!(
            maturity,
            "{category},Moderate,\"{}\"",
            PROSE[k % PROSE.len()]
        )
        .ok();
    }
    fs::write(dir.join("maturity.csv"), maturity)
}

/// The real write-ups of data/example the grown audit repeats: their id,
/// title, severity, difficulty, type and target, as findings.csv gives them.
const REAL: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "NWS-LUMEN-1",
        "Manifest paths can escape the secrets directory",
        "High",
        "Low",
        "Data Validation",
        "lumen-agent/internal/manifest/paths.go#41–58",
    ),
    (
        "NWS-LUMEN-2",
        "Console session tokens do not expire",
        "Medium",
        "Medium",
        "Session Management",
        "lumen-console/src/auth/session.ts#88–104",
    ),
    (
        "NWS-LUMEN-6",
        "Tenant identifier taken from the request body",
        "High",
        "Medium",
        "Access Controls",
        "lumen-console/src/api/secrets.ts#210–236",
    ),
];

/// A real audit grown to `n` findings: data/example of the source checkout
/// (absent from an installed binary: then `false`), with its real write-ups
/// repeated as findings of their own, each with a fix-review row.
pub(super) fn grow_real(dir: &Path, n: usize) -> std::io::Result<bool> {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example");
    if !example.join("audit.toml").is_file() {
        return Ok(false);
    }
    edits::copy_tree(&example, dir)?;
    let csv = fs::read_to_string(dir.join("findings.csv"))?;
    let have = csv.lines().filter(|l| l.starts_with("NWS-LUMEN-")).count();
    let mut fixes = fs::read_to_string(dir.join("fix-review.csv"))?;
    if !fixes.ends_with('\n') {
        fixes.push('\n');
    }
    for (k, number) in (100..).take(n.saturating_sub(have)).enumerate() {
        let (id, title, severity, difficulty, kind, target) = REAL[k % REAL.len()];
        let body = fs::read_to_string(example.join("findings").join(format!("{id}.md")))?;
        let front = format!(
            "+++\ntitle = \"{title} ({})\"\nseverity = \"{severity}\"\ndifficulty = \"{difficulty}\"\ntype = \"{kind}\"\ntarget = \"{target}\"\n+++\n",
            k + 1
        );
        fs::write(
            dir.join("findings").join(format!("NWS-LUMEN-{number}.md")),
            front + &body,
        )?;
        fixes.push_str(&format!("NWS-LUMEN-{number},Unresolved,,\n"));
    }
    fs::write(dir.join("fix-review.csv"), fixes)?;
    Ok(true)
}
