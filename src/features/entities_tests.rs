//! Tests of [`super`] (entity matching and counting), kept in their own
//! file so the module stays readable.

use super::*;

fn gaz() -> Gazetteer {
    let tsv = "# test\nLOC\tبغداد\tBaghdad\nLOC\tالعراق\tIraq\nLOC\tالولايات المتحدة\tالولايات المتحدة الأمريكية|United States|US|U.S.\nPER\tبومبيو\tمايك بومبيو|Pompeo\nORG\tالأمم المتحدة\tUN|United Nations\nLOC\tالمنطقة الخضراء\t\n";
    Gazetteer::new(parse_tsv(tsv).unwrap(), NormalizerConfig::arabic()).unwrap()
}

fn found(g: &Gazetteer, text: &str) -> Vec<(String, String)> {
    g.find(text)
        .into_iter()
        .map(|m| {
            let s: String = text.chars().skip(m.start).take(m.end - m.start).collect();
            (s, g.entries[m.entry as usize].canonical.clone())
        })
        .collect()
}

#[test]
fn finds_names_with_clitics_diacritics_and_variants() {
    let g = gaz();
    let got = found(
        &g,
        "قال مايكُ بومبيو إنّ وبغداد وللعراقِ والولايات المتحدة الأمريكية في المنطقة الخضراء.",
    );
    assert_eq!(
        got,
        vec![
            ("مايكُ بومبيو".to_string(), "بومبيو".to_string()),
            ("بغداد".to_string(), "بغداد".to_string()),
            ("عراقِ".to_string(), "العراق".to_string()),
            (
                "الولايات المتحدة الأمريكية".to_string(),
                "الولايات المتحدة".to_string()
            ),
            ("المنطقة الخضراء".to_string(), "المنطقة الخضراء".to_string()),
        ]
    );
}

#[test]
fn needs_token_boundaries_and_case_for_short_caps() {
    let g = gaz();
    assert!(found(&g, "بغدادي بغدادية").is_empty());
    assert!(found(&g, "tell us about it").is_empty());
    assert_eq!(found(&g, "the US and the UN in Baghdad").len(), 3);
    assert_eq!(found(&g, "U.S. troops")[0].1, "الولايات المتحدة");
    assert!(found(&g, "بغداد، المتحدة").iter().all(|m| m.1 == "بغداد"));
}

#[test]
fn a_name_equal_to_another_names_derived_form_is_found() {
    // «عراق» is listed, and is also «العراق» without its article (only
    // valid after لل); "us" is listed, and is also "US" lowercased (only
    // valid in capitals). Each string still finds every name it stands
    // for (found by the `entities` fuzz target).
    let tsv = "LOC\tالعراق\tعراق\nLOC\tUS\t\nMISC\tus\t\n";
    let g = Gazetteer::new(parse_tsv(tsv).unwrap(), NormalizerConfig::arabic()).unwrap();
    let m = |s: &str, c: &str| vec![(s.to_string(), c.to_string())];
    assert_eq!(found(&g, "عراق"), m("عراق", "العراق"));
    assert_eq!(found(&g, "للعراق"), m("عراق", "العراق"));
    assert_eq!(found(&g, "العراق"), m("العراق", "العراق"));
    assert_eq!(found(&g, "us"), m("us", "us"));
    assert_eq!(found(&g, "US"), m("US", "US"));
}

#[test]
fn rejects_bad_lines() {
    assert!(parse_tsv("XYZ\tname\n")
        .unwrap_err()
        .to_string()
        .contains("line 1"));
    assert!(parse_tsv("LOC\n").is_err());
    assert!(parse_tsv("LOC\t \t\n").is_err());
}
