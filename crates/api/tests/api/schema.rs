//! The committed `schema.graphql` is the exported schema.

use std::path::Path;

#[test]
fn schema_graphql_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema.graphql");
    let exported = viva_api::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &exported).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == exported,
        "schema.graphql is out of date: run `make schema` (cargo run -- export-schema --out schema.graphql) and review the diff"
    );
}

#[test]
fn every_type_and_field_is_documented() {
    // The SDL puts each description right above what it describes, as a `"""` block or a
    // one-line string; everything else inside a type body is a field or an enum value.
    let sdl = viva_api::sdl();
    let mut described = false;
    let mut in_description = false;
    let mut in_body = false;
    for line in sdl.lines() {
        let trimmed = line.trim();
        if trimmed == "\"\"\"" {
            in_description = !in_description;
            described = !in_description;
            continue;
        }
        if in_description {
            continue;
        }
        if trimmed.starts_with('"') {
            described = true;
            continue;
        }
        let declaration = ["type ", "input ", "enum ", "scalar ", "interface ", "union "]
            .iter()
            .any(|k| trimmed.starts_with(k));
        if declaration {
            assert!(described, "undocumented: {trimmed}");
            in_body = trimmed.ends_with('{');
        } else if trimmed == "}" {
            in_body = false;
        } else if in_body && !trimmed.is_empty() {
            assert!(described, "undocumented field: {trimmed}");
        }
        described = false;
    }
}
