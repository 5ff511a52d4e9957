//! Assembling an interview's report from what is stored: seven queries whatever the interview's
//! size (questions, answers, current evaluations, transcripts, people, job), no access check (the callers
//! have made it).

use std::collections::HashMap;

use chrono::Utc;
use viva_domain::evaluation::{Evaluation, LengthVerdict};
use viva_domain::interview::InterviewStatus;
use viva_domain::{AnswerId, UserId};
use viva_reports::{
    AiScore, AnswerReport, Delivery, DimensionScore, HumanScore, InterviewReport, QuestionReport,
    ReportPerson, ScoreProvenance,
};
use viva_store::AsyncPgConnection;
use viva_store::models::evaluation::{self as evaluations, StoredEvaluation};
use viva_store::models::interview::{self as interviews, Answer, Interview};
use viva_store::models::job as jobs;
use viva_store::models::user::{self as users, User};

use crate::interviews::access::Viewer;
use crate::{ServiceError, ServiceResult};

/// Strengths and improvements carried to the report's summary, at most.
const SUMMARY_ITEMS: usize = 6;

/// The report of `interview` as it stands now, as `viewer` may see it (the providers passed over
/// on the way to an evaluation are for staff only, as everywhere in the API).
pub(crate) async fn report(
    conn: &mut AsyncPgConnection,
    interview: &Interview,
    viewer: Viewer,
) -> ServiceResult<InterviewReport> {
    let questions = interviews::questions_of(conn, &[interview.id]).await?;
    let answers = interviews::answers_of(conn, &[interview.id]).await?;
    let answer_ids: Vec<AnswerId> = answers.iter().map(|a| a.id).collect();
    let stored = evaluations::current_of(conn, &answer_ids).await?;
    let transcripts: HashMap<AnswerId, String> = viva_store::models::media::transcripts_of(conn, &answer_ids)
        .await?
        .into_iter()
        .filter_map(|t| t.text.filter(|text| !text.is_empty()).map(|text| (t.answer_id, text)))
        .collect();
    let mut people: Vec<UserId> = std::iter::once(interview.candidate_id)
        .chain(interview.hr_id)
        .chain(answers.iter().filter_map(|a| a.human_scored_by))
        .collect();
    people.sort_unstable();
    people.dedup();
    let people: HashMap<UserId, User> =
        users::find_many(conn, &people).await?.into_iter().map(|u| (u.id, u)).collect();
    let job_title = match interview.job_id {
        Some(job) => jobs::find(conn, job).await?.map(|j| j.title),
        None => None,
    };

    // A candidate sees the AI's scores once the interview is over, as everywhere in the API
    // (an evaluation carries the model answer).
    let scores_visible = viewer == Viewer::Staff
        || matches!(interview.status, InterviewStatus::Completed | InterviewStatus::Evaluated);
    let mut evaluated: HashMap<AnswerId, (StoredEvaluation, Evaluation)> = HashMap::new();
    for row in stored.into_iter().filter(|_| scores_visible) {
        let body: Evaluation = serde_json::from_value(row.body.clone()).map_err(ServiceError::internal)?;
        evaluated.insert(row.answer_id, (row, body));
    }
    let by_question: HashMap<_, &Answer> = answers.iter().map(|a| (a.interview_question_id, a)).collect();

    let candidate = people.get(&interview.candidate_id).ok_or(ServiceError::NotFound("candidate"))?;
    let mut strengths = Vec::new();
    let mut improvements = Vec::new();
    let mut question_reports = Vec::with_capacity(questions.len());
    for question in &questions {
        let answer = by_question.get(&question.id).map(|answer| {
            let ai = evaluated.get(&answer.id).map(|(row, body)| {
                extend_unique(&mut strengths, &body.strengths);
                extend_unique(&mut improvements, &body.improvements);
                let mut score = ai_score(row, body);
                if viewer == Viewer::Candidate {
                    score.provenance.fallback = None;
                }
                score
            });
            let human = answer.human_score.map(|score| HumanScore {
                score,
                reason: answer.human_score_reason.clone(),
                scored_by: answer.human_scored_by.and_then(|id| people.get(&id)).map(|u| u.full_name.clone()),
                scored_at: answer.human_scored_at,
            });
            AnswerReport {
                answer_id: answer.id.0,
                text: answer.text.clone(),
                transcript: transcripts.get(&answer.id).cloned(),
                submitted_at: answer.submitted_at,
                duration_seconds: answer.duration_seconds,
                ai,
                human,
            }
        });
        question_reports.push(QuestionReport {
            position: question.position,
            kind: question.kind.as_str().to_owned(),
            text: question.text.clone(),
            follow_up: question.follow_up_of.is_some(),
            answer,
        });
    }
    strengths.truncate(SUMMARY_ITEMS);
    improvements.truncate(SUMMARY_ITEMS);

    let bodies: Vec<&Evaluation> =
        answers.iter().filter_map(|a| evaluated.get(&a.id).map(|(_, b)| b)).collect();
    let human_scores: Vec<i32> = answers.iter().filter_map(|a| a.human_score).collect();
    let title = match &job_title {
        Some(job) => format!("{job} interview"),
        None => format!("{} interview", role_label(&interview.role_slug)),
    };
    Ok(InterviewReport {
        interview_id: interview.id.0,
        title: if interview.practice { format!("Practice: {title}") } else { title },
        candidate: person(candidate),
        hr: interview.hr_id.and_then(|id| people.get(&id)).map(person),
        job_title,
        role: interview.role_slug.clone(),
        difficulty: interview.difficulty.as_str().to_owned(),
        practice: interview.practice,
        status: interview.status.as_str().to_owned(),
        scheduled_at: interview.window_start,
        started_at: interview.started_at,
        completed_at: interview.completed_at,
        generated_at: Utc::now(),
        overall_score: interview.overall_score,
        grade: interview.grade.clone(),
        dimensions: dimensions(&bodies, &human_scores),
        strengths,
        improvements,
        recommendations: interview.recommendations.clone(),
        feedback: interview.feedback.clone(),
        delivery: delivery(&bodies),
        questions: question_reports,
    })
}

fn person(user: &User) -> ReportPerson {
    ReportPerson { id: user.id.0, name: user.full_name.clone(), email: user.email.clone() }
}

/// `backend-engineer` as "Backend engineer".
fn role_label(slug: &str) -> String {
    let words = slug.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn extend_unique(into: &mut Vec<String>, items: &[String]) {
    for item in items {
        if into.len() < SUMMARY_ITEMS && !into.iter().any(|known| known.eq_ignore_ascii_case(item)) {
            into.push(item.clone());
        }
    }
}

fn ai_score(row: &StoredEvaluation, body: &Evaluation) -> AiScore {
    AiScore {
        overall: row.overall_score,
        content: body.scores.content,
        communication: body.scores.communication,
        technical_depth: body.scores.technical_depth,
        relevance: body.scores.relevance,
        grade: row.grade.clone(),
        strengths: body.strengths.clone(),
        improvements: body.improvements.clone(),
        feedback: body.feedback.clone(),
        provenance: ScoreProvenance {
            provider: row.provider.clone(),
            model: row.model.clone(),
            rubric_version: row.rubric_version.clone(),
            prompt_version: row.prompt_version.clone(),
            evaluated_at: row.created_at,
            fallback: row.fallback.clone(),
        },
    }
}

fn mean(values: impl Iterator<Item = i32>) -> Option<f64> {
    let (sum, count) = values.fold((0_i64, 0_u32), |(s, c), v| (s + i64::from(v), c + 1));
    // Reported to one decimal place, as people read it.
    (count > 0).then(|| (sum as f64 / f64::from(count) * 10.0).round() / 10.0)
}

fn dimensions(bodies: &[&Evaluation], human_scores: &[i32]) -> Vec<DimensionScore> {
    type Pick = fn(&Evaluation) -> i32;
    let dimensions: [(&str, &str, Pick); 5] = [
        ("CONTENT", "Content", |e| e.scores.content),
        ("COMMUNICATION", "Communication", |e| e.scores.communication),
        ("TECHNICAL_DEPTH", "Technical depth", |e| e.scores.technical_depth),
        ("RELEVANCE", "Relevance", |e| e.scores.relevance),
        ("OVERALL", "Overall", |e| e.scores.overall),
    ];
    dimensions
        .iter()
        .map(|(dimension, label, pick)| DimensionScore {
            dimension: (*dimension).to_owned(),
            label: (*label).to_owned(),
            ai_score: mean(bodies.iter().map(|e| pick(e))),
            human_score: if *dimension == "OVERALL" { mean(human_scores.iter().copied()) } else { None },
        })
        .collect()
}

fn delivery(bodies: &[&Evaluation]) -> Delivery {
    let count =
        |verdict: LengthVerdict| bodies.iter().filter(|e| e.analysis.length == verdict).count() as i32;
    let rates: Vec<f32> = bodies.iter().filter_map(|e| e.analysis.words_per_minute).collect();
    Delivery {
        total_words: bodies.iter().map(|e| e.analysis.words as i32).sum(),
        words_per_minute: (!rates.is_empty())
            .then(|| (rates.iter().map(|r| f64::from(*r)).sum::<f64>() / rates.len() as f64).round()),
        filler_words: bodies.iter().flat_map(|e| &e.analysis.filler_words).map(|f| f.count as i32).sum(),
        long_answers: count(LengthVerdict::TooLong),
        short_answers: count(LengthVerdict::TooShort),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_labels_read_as_words() {
        assert_eq!(role_label("backend-engineer"), "Backend engineer");
        assert_eq!(role_label("data_scientist"), "Data scientist");
        assert_eq!(role_label(""), "");
    }

    #[test]
    fn means_are_to_one_decimal_and_absent_without_values() {
        assert_eq!(mean([70, 75, 81].into_iter()), Some(75.3));
        assert_eq!(mean(std::iter::empty()), None);
    }
}
