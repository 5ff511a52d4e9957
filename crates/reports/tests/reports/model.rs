//! The JSON export: camelCase names, instants as async-graphql writes them, and a round trip.

use crate::sample;
use viva_reports::InterviewReport;

#[test]
fn json_names_are_camel_case_and_instants_have_a_numeric_offset() {
    let json = serde_json::to_value(sample::report()).unwrap();
    assert_eq!(json["interviewId"], "00000000-0000-0000-0000-000000001234");
    assert_eq!(json["candidate"]["name"], sample::CANDIDATE);
    assert_eq!(json["scheduledAt"], "2026-03-02T09:30:00+00:00");
    assert_eq!(json["overallScore"], 71);
    assert_eq!(json["dimensions"][2]["dimension"], "TECHNICAL_DEPTH");
    assert_eq!(json["dimensions"][4]["humanScore"], 69.0);
    assert_eq!(json["delivery"]["wordsPerMinute"], 132.5);
    let second = &json["questions"][1]["answer"];
    assert_eq!(second["ai"]["technicalDepth"], 50);
    assert_eq!(second["ai"]["provenance"]["rubricVersion"], "rubric-3");
    assert_eq!(second["human"]["scoredBy"], "Priya Raman");
    assert!(json["questions"][6]["answer"].is_null());
}

#[test]
fn json_round_trips() {
    for report in [sample::report(), sample::unscored()] {
        let text = serde_json::to_string(&report).unwrap();
        let back: InterviewReport = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
    }
}

/// The API exposes these types directly; the JSON export must equal the query's response when
/// every field is selected.
#[cfg(feature = "graphql")]
#[tokio::test]
async fn json_equals_the_graphql_response_with_every_field_selected() {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

    struct Query;

    #[Object]
    impl Query {
        async fn interview_report(&self) -> InterviewReport {
            sample::report()
        }
    }

    let person = "{ id name email }";
    let provenance = "{ provider model rubricVersion promptVersion evaluatedAt fallback }";
    let ai = format!(
        "{{ overall content communication technicalDepth relevance grade strengths improvements \
         feedback provenance {provenance} }}"
    );
    let answer = format!(
        "{{ answerId text transcript submittedAt durationSeconds ai {ai} \
         human {{ score reason scoredBy scoredAt }} }}"
    );
    let query = format!(
        "{{ interviewReport {{ interviewId title candidate {person} hr {person} jobTitle role \
         difficulty practice status scheduledAt startedAt completedAt generatedAt overallScore \
         grade dimensions {{ dimension label aiScore humanScore }} strengths improvements \
         recommendations feedback delivery {{ totalWords wordsPerMinute fillerWords longAnswers \
         shortAnswers }} questions {{ position kind text followUp answer {answer} }} }} }}"
    );
    let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
    let response = schema.execute(query).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    assert_eq!(data["interviewReport"], serde_json::to_value(sample::report()).unwrap());
}
