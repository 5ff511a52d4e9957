//! A responder that plays a competent model for Viva's three chat tasks, told apart by the
//! reply schema: evaluations that quote the answer and mark down missing ideas, interview
//! questions on the topics of the job description, and follow-ups that name what the answer
//! missed. Deterministic, so tests can assert on what was stored.

use serde_json::{Value, json};

use crate::ChatCall;

/// The reply to `call`, or `"OK"` when it is none of Viva's tasks.
pub fn interviewer(call: &ChatCall) -> String {
    let properties = call.schema.as_ref().and_then(|s| s.get("properties")).cloned().unwrap_or(Value::Null);
    let reply = if properties.get("overall").is_some() {
        evaluation(&call.user)
    } else if properties.get("questions").is_some() {
        questions(&call.user)
    } else if properties.get("reason").is_some() {
        follow_up(&call.user)
    } else {
        return "OK".to_owned();
    };
    reply.to_string()
}

/// The text between `<tag…>` and its closing `</tag…>` (Viva's tags carry a random suffix).
fn between<'a>(text: &'a str, tag: &str) -> Option<&'a str> {
    let open_at = text.find(&format!("<{tag}"))?;
    let open_end = text[open_at..].find('>')? + open_at;
    let name = &text[open_at + 1..open_end];
    let start = open_end + 1;
    let end = text[start..].find(&format!("</{name}>"))? + start;
    Some(text[start..end].trim())
}

/// The rest of the first line starting with `prefix`.
fn line_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.lines().find_map(|l| l.trim_start_matches("- ").strip_prefix(prefix)).map(str::trim)
}

fn evaluation(prompt: &str) -> Value {
    let answer = between(prompt, "answer").unwrap_or_default();
    let words: Vec<&str> = answer.split_whitespace().collect();
    let quote = words.iter().take(8).copied().collect::<Vec<_>>().join(" ");
    let missing = prompt
        .lines()
        .find_map(|l| l.split("; missing: ").nth(1))
        .map(str::trim)
        .filter(|m| *m != "none")
        .map(str::to_owned);
    let overall: i64 = match (&missing, words.len()) {
        (_, 0..=5) => 20,
        (Some(_), _) => 48,
        (None, _) => 82,
    };
    let mut improvements = vec![json!({ "quote": "", "comment": "Close with a measured result." })];
    if let Some(missing) = &missing {
        improvements.insert(0, json!({ "quote": "", "comment": format!("Cover {missing}.") }));
    }
    json!({
        "content": overall,
        "communication": (overall + 6).min(100),
        "technical_depth": overall.saturating_sub(4),
        "relevance": (overall + 10).min(100),
        "overall": overall,
        "strengths": if quote.is_empty() { json!([]) } else { json!([{ "quote": quote, "comment": "Starts from the point" }]) },
        "improvements": improvements,
        "feedback": format!("You answered in {} words. {}", words.len(), match &missing {
            Some(m) => format!("The answer did not cover {m}."),
            None => "The answer covered what the question looks for.".to_owned(),
        }),
        "ideal_answer": "A strong answer names the approach, the trade-offs, and a measured result.",
        "remark": if overall >= 60 { "Solid answer." } else { "Needs more substance." },
    })
}

fn questions(prompt: &str) -> Value {
    let count: usize = line_after(prompt, "Write ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let difficulty = ["EASY", "MEDIUM", "HARD"]
        .into_iter()
        .find(|d| prompt.contains(&format!("at {d} difficulty")))
        .unwrap_or("MEDIUM");
    let source = [between(prompt, "job"), between(prompt, "background")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let mut topics: Vec<String> = Vec::new();
    for word in source.split(|c: char| !c.is_alphanumeric() && c != '-') {
        let word = word.to_lowercase();
        if word.len() >= 5 && !topics.contains(&word) {
            topics.push(word);
        }
    }
    if topics.len() < 2 {
        topics.extend(["reliability".to_owned(), "testing".to_owned()]);
    }
    let templates: [(&str, &str); 6] = [
        (
            "TECHNICAL",
            "Explain how you would use {a} together with {b} to build a reliable service, and which trade-offs you would weigh.",
        ),
        (
            "BEHAVIOURAL",
            "Tell me about a time you delivered work involving {a} under a tight deadline. What did you do yourself?",
        ),
        (
            "SITUATIONAL",
            "Suppose {a} fails in production during a release. What would you check first, and whom would you involve?",
        ),
        (
            "TECHNICAL",
            "How do you test and monitor {a} so that problems with {b} are caught before users notice?",
        ),
        ("BEHAVIOURAL", "Describe a disagreement with a colleague about {a}. How was it resolved?"),
        (
            "SITUATIONAL",
            "A customer reports that {a} has become slow since yesterday. Walk me through your first hour.",
        ),
    ];
    let items: Vec<Value> = (0..count)
        .map(|i| {
            let (kind, template) = templates[i % templates.len()];
            let a = &topics[i % topics.len()];
            let b = &topics[(i + 1) % topics.len()];
            json!({
                "text": template.replace("{a}", a).replace("{b}", b),
                "kind": kind,
                "difficulty": difficulty,
                "expected_keywords": [a, b],
                "ideal_answer": format!("A strong answer explains how {a} and {b} fit together, gives a concrete example, and measures the result."),
                "time_limit_seconds": 120,
            })
        })
        .collect();
    json!({ "questions": items })
}

fn follow_up(prompt: &str) -> Value {
    let missing = line_after(prompt, "Expected ideas the answer did not cover: ")
        .and_then(|m| m.split(", ").next())
        .map(str::to_owned);
    match missing {
        Some(gap) => json!({
            "question": format!("You did not mention {gap}. How would {gap} change your approach here?"),
            "reason": format!("the answer did not cover {gap}"),
        }),
        None => json!({
            "question": "Can you give one concrete example, with what you did and a measured result?",
            "reason": "the answer stayed general, with no example or result",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_task_gets_a_fitting_reply() {
        let schema = |props: Value| Some(json!({ "type": "object", "properties": props }));
        let call = ChatCall {
            user: "Evidence:\n- expected ideas covered: index; missing: query plan\n<answer>\nI would add an index and measure again.\n</answer>".into(),
            schema: schema(json!({ "overall": {} })),
            ..ChatCall::default()
        };
        let reply: Value = serde_json::from_str(&interviewer(&call)).unwrap();
        assert_eq!(reply["overall"], 48);
        assert_eq!(reply["strengths"][0]["quote"], "I would add an index and measure again.");
        let call = ChatCall {
            user: "Write 4 questions for the role backend at HARD difficulty.\n\nJob description:\n<job>\nPostgreSQL and Kubernetes operations\n</job>".into(),
            schema: schema(json!({ "questions": {} })),
            ..ChatCall::default()
        };
        let reply: Value = serde_json::from_str(&interviewer(&call)).unwrap();
        assert_eq!(reply["questions"].as_array().unwrap().len(), 4);
        assert_eq!(reply["questions"][0]["difficulty"], "HARD");
        let call = ChatCall {
            user: "Original question (TECHNICAL): Why?\nExpected ideas the answer did not cover: query plan, index\n".into(),
            schema: schema(json!({ "reason": {} })),
            ..ChatCall::default()
        };
        let reply: Value = serde_json::from_str(&interviewer(&call)).unwrap();
        assert!(reply["question"].as_str().unwrap().contains("query plan"));
    }
}
