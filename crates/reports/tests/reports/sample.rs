//! Reports to render: a full one (ten questions, one of them unanswered, a very long answer,
//! unicode, answers that look like spreadsheet formulas) and edge cases built from it.

use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;
use viva_reports::{
    AiScore, AnswerReport, Delivery, DimensionScore, HumanScore, InterviewReport, QuestionReport,
    ReportPerson, ScoreProvenance,
};

/// The candidate's name: accents, so that extraction is checked beyond ASCII.
pub(crate) const CANDIDATE: &str = "Zoë Ångström-Díaz";

/// The position of the question left unanswered.
pub(crate) const UNANSWERED: i32 = 7;

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).single().unwrap() + Duration::minutes(minutes)
}

/// The questions' texts, one per position from 1.
pub(crate) fn question_texts() -> Vec<String> {
    [
        "Tell me about a time you disagreed with a teammate about a design decision.",
        "How does a B-tree index speed up a range query in PostgreSQL?",
        "Walk me through how you would debug a memory leak in a long-running service.",
        "Describe how you would roll out a breaking API change to mobile clients.",
        "What happens between typing a URL in the browser and the page appearing?",
        "How would you handle a production incident at 3 a.m. when the on-call runbook is wrong?",
        "Explain the difference between optimistic and pessimistic locking.",
        "Tell me about a project you are proud of, and why.",
        "How would you design rate limiting for a public GraphQL API?",
        "Résumé question: what did you learn from your time at Ünïcode Café?",
    ]
    .iter()
    .map(|t| (*t).to_owned())
    .collect()
}

fn long_answer() -> String {
    let paragraph = "First I would reproduce the leak under a realistic load in staging, with \
        heap profiling enabled, and take snapshots at regular intervals so that the growth can \
        be attributed to allocation sites rather than guessed at. Then I would compare the \
        snapshots, look for caches without bounds, listeners that are never removed, and \
        connection pools that grow under retries. ";
    let mut text = String::new();
    for i in 0..60 {
        text.push_str(paragraph);
        if i % 7 == 0 {
            text.push_str("\n\n");
        }
    }
    // One unbroken token longer than a line: it must be cut, not overflow the page.
    text.push_str(&"x".repeat(400));
    text
}

fn answer_text(position: i32) -> String {
    match position {
        1 => "=HYPERLINK(\"http://evil.example\",\"click\") We talked it through and agreed.".to_owned(),
        2 => "+1 because it keeps keys sorted, so a range is one descent and a leaf walk.".to_owned(),
        3 => long_answer(),
        4 => "-- versioned fields first, then a deprecation window of two releases.".to_owned(),
        5 => "@DNS lookup, TCP and TLS handshakes, the HTTP request, then parsing and paint.".to_owned(),
        6 => "\tI would page the service owner and write down every step I take.".to_owned(),
        8 => "Une migration sans interruption — « zéro temps d'arrêt » — 日本語の説明も書きました 🚀🎉 \
              and a résumé of naïve façades."
            .to_owned(),
        9 => "A token bucket per client, with the cost of a query from its complexity,\r\nstored in Redis."
            .to_owned(),
        _ => format!("A clear, structured answer to question {position}, with an example."),
    }
}

fn ai(position: i32) -> AiScore {
    let overall = 50 + position * 4;
    AiScore {
        overall,
        content: overall - 3,
        communication: overall + 2,
        technical_depth: overall - 8,
        relevance: (overall + 9).min(100),
        grade: viva_grade(overall).to_owned(),
        strengths: vec![format!("Names a concrete example (question {position})")],
        improvements: vec![format!("Quantify the outcome (question {position})")],
        feedback: format!("Solid answer to question {position}; say what changed as a result."),
        provenance: ScoreProvenance {
            provider: if position % 2 == 0 { "gemini" } else { "offline" }.to_owned(),
            model: if position % 2 == 0 { "gemini-2.5-flash" } else { "all-MiniLM-L6-v2" }.to_owned(),
            rubric_version: "rubric-3".to_owned(),
            prompt_version: (position % 2 == 0).then(|| "evaluation-v2".to_owned()),
            evaluated_at: at(70 + i64::from(position)),
            fallback: (position == 4).then(|| "openai: timed out".to_owned()),
        },
    }
}

fn viva_grade(score: i32) -> &'static str {
    match score {
        90.. => "A",
        80..=89 => "B",
        70..=79 => "C",
        60..=69 => "D",
        _ => "F",
    }
}

/// The full report: ten questions, the seventh unanswered, the third very long, the tenth not
/// evaluated yet, human scores on the second and fifth.
pub(crate) fn report() -> InterviewReport {
    let questions: Vec<QuestionReport> = question_texts()
        .into_iter()
        .zip(1..)
        .map(|(text, position)| QuestionReport {
            position,
            kind: ["BEHAVIOURAL", "TECHNICAL", "SITUATIONAL"][(position as usize) % 3].to_owned(),
            text,
            follow_up: position == 4,
            answer: (position != UNANSWERED).then(|| AnswerReport {
                answer_id: Uuid::from_u128(0xA000 + position as u128),
                text: answer_text(position),
                transcript: None,
                submitted_at: at(i64::from(position) * 5),
                duration_seconds: (position != 9).then_some(60 + position * 10),
                ai: (position != 10).then(|| ai(position)),
                human: match position {
                    2 => Some(HumanScore {
                        score: 91,
                        reason: Some("Better than the AI thought: exact on leaf pages.".to_owned()),
                        scored_by: Some("Priya Raman".to_owned()),
                        scored_at: Some(at(200)),
                    }),
                    5 => Some(HumanScore { score: 47, reason: None, scored_by: None, scored_at: None }),
                    _ => None,
                },
            }),
        })
        .collect();
    let evaluated: Vec<&AiScore> = questions.iter().filter_map(|q| q.answer.as_ref()?.ai.as_ref()).collect();
    let mean = |f: fn(&AiScore) -> i32| {
        Some(evaluated.iter().map(|a| f64::from(f(a))).sum::<f64>() / evaluated.len() as f64)
    };
    let dimension = |dimension: &str, label: &str, ai_score, human_score| DimensionScore {
        dimension: dimension.to_owned(),
        label: label.to_owned(),
        ai_score,
        human_score,
    };
    InterviewReport {
        interview_id: Uuid::from_u128(0x1234),
        title: "Backend engineer — final round".to_owned(),
        candidate: ReportPerson {
            id: Uuid::from_u128(0xC0),
            name: CANDIDATE.to_owned(),
            email: "zoe.angstrom@example.com".to_owned(),
        },
        hr: Some(ReportPerson {
            id: Uuid::from_u128(0x4E),
            name: "Priya Raman".to_owned(),
            email: "priya@example.com".to_owned(),
        }),
        job_title: Some("Senior Backend Engineer (Platform)".to_owned()),
        role: "backend-engineer".to_owned(),
        difficulty: "HARD".to_owned(),
        practice: false,
        status: "EVALUATED".to_owned(),
        scheduled_at: at(0),
        started_at: Some(at(2)),
        completed_at: Some(at(65)),
        generated_at: at(300),
        overall_score: Some(71),
        grade: Some("C".to_owned()),
        dimensions: vec![
            dimension("CONTENT", "Content", mean(|a| a.content), None),
            dimension("COMMUNICATION", "Communication", mean(|a| a.communication), None),
            dimension("TECHNICAL_DEPTH", "Technical depth", mean(|a| a.technical_depth), None),
            dimension("RELEVANCE", "Relevance", mean(|a| a.relevance), None),
            dimension("OVERALL", "Overall", mean(|a| a.overall), Some(69.0)),
        ],
        strengths: vec![
            "Concrete examples from production work".to_owned(),
            "Clear structure in behavioural answers".to_owned(),
        ],
        improvements: vec!["Quantify outcomes".to_owned(), "Shorter answers to design questions".to_owned()],
        recommendations: vec!["Practise system design with a timer".to_owned()],
        feedback: Some("A strong candidate on fundamentals; design answers ran long.".to_owned()),
        delivery: Delivery {
            total_words: 4210,
            words_per_minute: Some(132.5),
            filler_words: 17,
            long_answers: 1,
            short_answers: 2,
        },
        questions,
    }
}

/// A report with nothing scored yet: no answers at all.
pub(crate) fn unscored() -> InterviewReport {
    let mut report = report();
    for question in &mut report.questions {
        question.answer = None;
    }
    report.status = "SCHEDULED".to_owned();
    report.started_at = None;
    report.completed_at = None;
    report.overall_score = None;
    report.grade = None;
    report.hr = None;
    report.job_title = None;
    report.feedback = None;
    report.strengths.clear();
    report.improvements.clear();
    report.recommendations.clear();
    for dimension in &mut report.dimensions {
        dimension.ai_score = None;
        dimension.human_score = None;
    }
    report.delivery = Delivery {
        total_words: 0,
        words_per_minute: None,
        filler_words: 0,
        long_answers: 0,
        short_answers: 0,
    };
    report
}
