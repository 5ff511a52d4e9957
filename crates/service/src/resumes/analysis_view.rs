//! What a reader is shown of a resume's stored analysis: the offline rules' findings, and the
//! chat model's summary and advice when one wrote them, each piece of advice saying whose it is.

use serde_json::Value;
use viva_store::models::resume::Resume;

/// A resume's analysis, for display.
#[derive(Clone, Debug)]
pub struct AnalysisView {
    /// The summary: the model's when one wrote it, else the rules'.
    pub summary: String,
    /// 0 to 100.
    pub quality_score: i32,
    /// The parts of the quality score.
    pub quality_components: Vec<QualityPart>,
    /// Advice, the rules' first, then the model's.
    pub ats_feedback: Vec<AdviceView>,
    /// Email addresses found.
    pub emails: Vec<String>,
    /// Phone numbers found.
    pub phones: Vec<String>,
    /// Links found.
    pub links: Vec<String>,
    /// The sections: heading as written and kind.
    pub sections: Vec<(String, String)>,
    /// Who wrote the summary and advice beyond the rules: (provider, model, prompt version).
    pub reviewed_by: Option<(String, String, String)>,
}

/// A part of the quality score.
#[derive(Clone, Debug)]
pub struct QualityPart {
    /// What is measured.
    pub name: String,
    /// 0 to 100.
    pub score: i32,
    /// Its share of the total.
    pub weight: i32,
    /// Why.
    pub why: String,
}

/// A piece of advice.
#[derive(Clone, Debug)]
pub struct AdviceView {
    /// The rules' code (such as `MISSING_PHONE`), or the model's topic (such as `IMPACT`).
    pub code: String,
    /// What to do.
    pub message: String,
    /// Whether the chat model wrote it (else the rules).
    pub from_model: bool,
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn int(value: &Value) -> i32 {
    value.as_i64().and_then(|n| i32::try_from(n).ok()).unwrap_or_default()
}

/// The analysis of an analysed resume.
pub fn of(resume: &Resume) -> Option<AnalysisView> {
    let analysis = resume.analysis.as_ref()?;
    let items = |key: &str| analysis[key].as_array().cloned().unwrap_or_default();
    let mut ats_feedback: Vec<AdviceView> = items("ats_feedback")
        .iter()
        .map(|a| AdviceView { code: text(&a["code"]), message: text(&a["message"]), from_model: false })
        .collect();
    let review = &analysis["review"];
    ats_feedback.extend(review["advice"].as_array().into_iter().flatten().map(|a| AdviceView {
        code: text(&a["topic"]),
        message: text(&a["message"]),
        from_model: true,
    }));
    let reviewed_by = review
        .is_object()
        .then(|| (text(&review["provider"]), text(&review["model"]), text(&review["promptVersion"])));
    Some(AnalysisView {
        summary: text(&analysis["summary"]),
        quality_score: int(&analysis["quality_score"]),
        quality_components: items("quality_components")
            .iter()
            .map(|c| QualityPart {
                name: text(&c["name"]),
                score: int(&c["score"]),
                weight: int(&c["weight"]),
                why: text(&c["why"]),
            })
            .collect(),
        ats_feedback,
        emails: strings(&analysis["contact"]["emails"]),
        phones: strings(&analysis["contact"]["phones"]),
        links: strings(&analysis["contact"]["links"]),
        sections: items("sections").iter().map(|s| (text(&s["heading"]), text(&s["kind"]))).collect(),
        reviewed_by,
    })
}
