//! Analytics through the API (USER-2 `myStats`, REPORT-2 `analytics`): a candidate's statistics
//! and progress against figures worked out by hand, who may read what, the fairness view's
//! suppression of small groups and its disagreements, and the refusals of bad windows.
//!
//! The interviews and answers are written in SQL at fixed times in March 2026 and evaluated
//! through the store and the service as the evaluation job does, with chosen scores.

use serde_json::{Value, json};
use viva_domain::evaluation::CallTrace;
use viva_domain::{AnswerId, BackgroundJobId};
use viva_store::models::evaluation::{self, NewEvaluation};
use viva_test_support::{TestApp, TestUser};

/// Evaluation scores: content, communication, technical depth, relevance, overall.
type Scores = [i32; 5];

async fn job(app: &TestApp, owner: &TestUser, title: &str) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    app.execute("INSERT INTO job_roles (slug, title) VALUES ('backend-engineer', 'Backend engineer') ON CONFLICT DO NOTHING")
        .await;
    app.execute(&format!(
        "INSERT INTO jobs (id, owner_id, title, description, location_type) \
         VALUES ('{id}', '{}', '{title}', 'A job.', 'REMOTE')",
        owner.id
    ))
    .await;
    id
}

/// An interview created an hour before `started` (an RFC 3339 time), started then, in `status`;
/// completed and evaluated interviews finish 30 minutes later with a result of `result`.
struct NewInterview<'a> {
    candidate: &'a TestUser,
    hr: Option<&'a TestUser>,
    job: Option<&'a str>,
    practice: bool,
    status: &'a str,
    started: &'a str,
    result: Option<i32>,
}

async fn interview(app: &TestApp, new: NewInterview<'_>) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    let quoted = |v: Option<&str>| v.map_or("NULL".to_owned(), |v| format!("'{v}'"));
    let finished = matches!(new.status, "COMPLETED" | "EVALUATED");
    let evaluated = new.status == "EVALUATED";
    app.execute(&format!(
        "INSERT INTO interviews (id, candidate_id, hr_id, scheduled_by, job_id, role_slug, difficulty, practice, \
             status, question_source, window_start, window_end, started_at, completed_at, overall_score, grade, \
             result_at, created_at) \
         VALUES ('{id}', '{candidate}', {hr}, {hr}, {job}, 'backend-engineer', 'MEDIUM', {practice}, '{status}', \
             'BANK', '{started}'::timestamptz - interval '1 hour', '{started}'::timestamptz + interval '1 day', \
             '{started}', {completed}, {score}, {grade}, {result_at}, '{started}'::timestamptz - interval '1 hour')",
        candidate = new.candidate.id,
        hr = quoted(new.hr.map(|h| h.id.as_str())),
        job = quoted(new.job),
        practice = new.practice,
        status = new.status,
        started = new.started,
        completed = if finished { format!("'{}'::timestamptz + interval '30 minutes'", new.started) } else { "NULL".into() },
        score = new.result.filter(|_| evaluated).map_or("NULL".into(), |s| s.to_string()),
        grade = if evaluated { "'C'" } else { "NULL" },
        result_at = if evaluated { format!("'{}'::timestamptz + interval '31 minutes'", new.started) } else { "NULL".into() },
    ))
    .await;
    id
}

/// The answer to the interview's question at `position`, of `kind`, submitted at `at`.
async fn answer(app: &TestApp, interview: &str, position: i32, kind: &str, at: &str) -> AnswerId {
    let (question, answer) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    app.execute(&format!(
        "INSERT INTO interview_questions (id, interview_id, position, kind, text, expected_keywords, ideal_answer, \
             time_limit_seconds) \
         VALUES ('{question}', '{interview}', {position}, '{kind}', 'Question {position} ({kind})', '{{}}', 'Ideal.', 120)"
    ))
    .await;
    app.execute(&format!(
        "INSERT INTO answers (id, interview_id, interview_question_id, text, idempotency_key, request_hash, submitted_at) \
         VALUES ('{answer}', '{interview}', '{question}', 'My answer.', 'key-{answer}', '\\x00', '{at}')"
    ))
    .await;
    AnswerId(answer)
}

/// Stores an evaluation with these scores as the answer's current one, as the evaluation job
/// does (the store's insert, then the analytics in the same transaction's place).
async fn evaluate(
    app: &TestApp,
    answer: AnswerId,
    [content, communication, technical_depth, relevance, overall]: Scores,
) {
    let body = json!({ "scores": {
        "content": content, "communication": communication, "technical_depth": technical_depth,
        "relevance": relevance, "overall": overall,
    } });
    let mut conn = app.conn().await;
    let stored = evaluation::insert(
        &mut conn,
        &NewEvaluation {
            answer_id: answer,
            job_id: BackgroundJobId::new(),
            provider: "offline",
            model: "minilm",
            rubric_version: "rubric-1",
            prompt_version: None,
            overall_score: overall,
            grade: "C",
            body: &body,
            requested_by: None,
            trace: &CallTrace::default(),
        },
    )
    .await
    .expect("evaluation stored");
    viva_service::analytics::record_evaluation(&mut conn, &stored).await.expect("analytics recorded");
}

async fn override_score(app: &TestApp, by: &TestUser, answer: AnswerId, score: i32) {
    app.graphql_as(
        by,
        "mutation($a: ID!, $s: Int!) { overrideAnswerScore(answerId: $a, score: $s, reason: \"Reviewed by hand\") { id } }",
        json!({ "a": answer.0.to_string(), "s": score }),
    )
    .await
    .data();
}

const WINDOW: (&str, &str) = ("2026-03-02T00:00:00Z", "2026-03-30T00:00:00Z");

const MY_STATS: &str = "query($from: DateTime, $to: DateTime) { myStats(from: $from, to: $to) {
    interviewsTaken practiceSessionsTaken
    averages { answers humanScored content communication technicalDepth relevance overall aiOverall }
    trend { weekStart scores { answers content communication technicalDepth relevance overall aiOverall } }
    questionTypes { questionType answers averageOverall }
    bestQuestionType { questionType averageOverall } weakestQuestionType { questionType averageOverall } } }";

const PROGRESS: &str = "query($c: ID, $from: DateTime, $to: DateTime) { analytics { progress(candidateId: $c, from: $from, to: $to) {
    candidateId practiceIncluded
    overall { answers humanScored content communication technicalDepth relevance overall aiOverall }
    weeks { weekStart scores { answers content communication technicalDepth relevance overall aiOverall } } } } }";

/// An admin; an HR user mapped to them with a job, and the candidate assigned to them; another
/// candidate and another mapped HR user.
struct Org {
    app: TestApp,
    admin: TestUser,
    hr: TestUser,
    other_hr: TestUser,
    candidate: TestUser,
    other_candidate: TestUser,
    job: String,
}

/// The hand-computed fixture: the candidate's answers in three ISO weeks of March 2026.
///
/// | answer | week starting | interview | type | content | comm. | depth | relevance | AI overall | person |
/// |---|---|---|---|---|---|---|---|---|---|
/// | a1 | 2026-03-02 | scheduled, evaluated | BEHAVIOURAL | 80 | 70 | 60 | 90 | 80 | |
/// | a2 | 2026-03-02 | scheduled, evaluated | TECHNICAL | 50 | 60 | 40 | 70 | 50 | 60 |
/// | a3 | 2026-03-09 | practice | TECHNICAL | 70 | 80 | 60 | 80 | 70 | |
/// | a4 | 2026-03-09 | practice | SITUATIONAL | 90 | 90 | 80 | 100 | 90 | |
/// | a5 | 2026-03-16 | scheduled, in progress | BEHAVIOURAL | 50 | 50 | 50 | 50 | 70 (re-evaluated; was 10) | |
/// | a6 | 2026-03-16 | scheduled, in progress | TECHNICAL | not evaluated |
/// | a0 | 2026-02-16 | scheduled, evaluated | TECHNICAL | 10 | 10 | 10 | 10 | 10 (before the window) | |
async fn org() -> Org {
    let app = TestApp::new().await;
    let (admin, hr, other_hr) = (app.admin().await, app.hr().await, app.hr().await);
    let (candidate, other_candidate) = (app.candidate().await, app.candidate().await);
    app.map_hr(&admin, &hr).await;
    app.map_hr(&admin, &other_hr).await;
    app.assign(&admin, &candidate, &hr).await;
    app.assign(&admin, &other_candidate, &other_hr).await;
    let job = job(&app, &hr, "Backend engineer").await;
    let scheduled = |status, started, result| NewInterview {
        candidate: &candidate,
        hr: Some(&hr),
        job: Some(&job),
        practice: false,
        status,
        started,
        result,
    };

    let i0 = interview(&app, scheduled("EVALUATED", "2026-02-16T10:00:00Z", Some(10))).await;
    let a0 = answer(&app, &i0, 1, "TECHNICAL", "2026-02-16T10:05:00Z").await;
    evaluate(&app, a0, [10, 10, 10, 10, 10]).await;

    let i1 = interview(&app, scheduled("EVALUATED", "2026-03-02T10:00:00Z", Some(70))).await;
    let a1 = answer(&app, &i1, 1, "BEHAVIOURAL", "2026-03-02T10:05:00Z").await;
    let a2 = answer(&app, &i1, 2, "TECHNICAL", "2026-03-02T10:10:00Z").await;
    evaluate(&app, a1, [80, 70, 60, 90, 80]).await;
    evaluate(&app, a2, [50, 60, 40, 70, 50]).await;
    override_score(&app, &hr, a2, 60).await;

    let practice = NewInterview {
        hr: None,
        job: None,
        practice: true,
        ..scheduled("COMPLETED", "2026-03-10T18:00:00Z", None)
    };
    let i2 = interview(&app, practice).await;
    let a3 = answer(&app, &i2, 1, "TECHNICAL", "2026-03-10T18:05:00Z").await;
    let a4 = answer(&app, &i2, 2, "SITUATIONAL", "2026-03-15T23:59:00Z").await;
    evaluate(&app, a3, [70, 80, 60, 80, 70]).await;
    evaluate(&app, a4, [90, 90, 80, 100, 90]).await;

    let i3 = interview(&app, scheduled("IN_PROGRESS", "2026-03-16T00:30:00Z", None)).await;
    let a5 = answer(&app, &i3, 1, "BEHAVIOURAL", "2026-03-16T00:35:00Z").await;
    answer(&app, &i3, 2, "TECHNICAL", "2026-03-16T00:40:00Z").await;
    evaluate(&app, a5, [5, 5, 5, 5, 10]).await;
    evaluate(&app, a5, [50, 50, 50, 50, 70]).await;

    app.run_jobs().await;
    Org { app, admin, hr, other_hr, candidate, other_candidate, job }
}

fn window() -> Value {
    json!({ "from": WINDOW.0, "to": WINDOW.1 })
}

fn week(
    start: &str,
    answers: i64,
    [content, communication, depth, relevance, overall, ai]: [f64; 6],
) -> Value {
    json!({ "weekStart": start, "scores": { "answers": answers, "content": content, "communication": communication,
        "technicalDepth": depth, "relevance": relevance, "overall": overall, "aiOverall": ai } })
}

#[tokio::test]
async fn my_stats_and_progress_agree_with_the_hand_computed_fixture() {
    let o = org().await;

    let stats = o.app.graphql_as(&o.candidate, MY_STATS, window()).await;
    let stats = &stats.data()["myStats"];
    assert_eq!(stats["interviewsTaken"], 2, "i1 and i3 (i0 started before the window)");
    assert_eq!(stats["practiceSessionsTaken"], 1);
    // (80+50+70+90+50)/5, (70+60+80+90+50)/5, (60+40+60+80+50)/5, (90+70+80+100+50)/5; overall
    // with the person's 60 for a2: (80+60+70+90+70)/5; the AI's alone (80+50+70+90+70)/5.
    let averages = json!({ "answers": 5, "humanScored": 1, "content": 68.0, "communication": 70.0,
        "technicalDepth": 58.0, "relevance": 78.0, "overall": 74.0, "aiOverall": 72.0 });
    assert_eq!(stats["averages"], averages);
    let trend = json!([
        week("2026-03-02", 2, [65.0, 65.0, 50.0, 80.0, 70.0, 65.0]),
        week("2026-03-09", 2, [80.0, 85.0, 70.0, 90.0, 80.0, 80.0]),
        week("2026-03-16", 1, [50.0, 50.0, 50.0, 50.0, 70.0, 70.0]),
    ]);
    assert_eq!(stats["trend"], trend);
    // SITUATIONAL 90; BEHAVIOURAL (80+70)/2; TECHNICAL (60+70)/2, a6 not evaluated.
    assert_eq!(
        stats["questionTypes"],
        json!([
            { "questionType": "SITUATIONAL", "answers": 1, "averageOverall": 90.0 },
            { "questionType": "BEHAVIOURAL", "answers": 2, "averageOverall": 75.0 },
            { "questionType": "TECHNICAL", "answers": 2, "averageOverall": 65.0 },
        ])
    );
    assert_eq!(stats["bestQuestionType"], json!({ "questionType": "SITUATIONAL", "averageOverall": 90.0 }));
    assert_eq!(stats["weakestQuestionType"], json!({ "questionType": "TECHNICAL", "averageOverall": 65.0 }));

    // The candidate's own progress (the default) is the same trend.
    let own = o.app.graphql_as(&o.candidate, PROGRESS, window()).await;
    let own = &own.data()["analytics"]["progress"];
    assert_eq!(own["candidateId"], o.candidate.id.as_str());
    assert_eq!(own["practiceIncluded"], true);
    assert_eq!(own["overall"], averages);
    assert_eq!(own["weeks"], trend);

    // An admin sees the same; the HR user the scheduled interviews only: a1, a2 and a5.
    let vars = json!({ "c": o.candidate.id, "from": WINDOW.0, "to": WINDOW.1 });
    let admin = o.app.graphql_as(&o.admin, PROGRESS, vars.clone()).await;
    assert_eq!(admin.data()["analytics"]["progress"]["overall"], averages);
    let hr = o.app.graphql_as(&o.hr, PROGRESS, vars).await;
    let hr = &hr.data()["analytics"]["progress"];
    assert_eq!(hr["practiceIncluded"], false);
    assert_eq!(
        hr["overall"],
        json!({ "answers": 3, "humanScored": 1, "content": 60.0, "communication": 60.0, "technicalDepth": 50.0,
            "relevance": 70.0, "overall": 70.0, "aiOverall": 200.0 / 3.0 })
    );
    assert_eq!(hr["weeks"], json!([trend[0], trend[2]]));

    // A window of one week: only a3 and a4.
    let week_only = json!({ "from": "2026-03-09T00:00:00Z", "to": "2026-03-16T00:00:00Z" });
    let narrow = o.app.graphql_as(&o.candidate, MY_STATS, week_only).await;
    assert_eq!(narrow.data()["myStats"]["trend"], json!([trend[1]]));
    assert_eq!(narrow.data()["myStats"]["interviewsTaken"], 0);
}

#[tokio::test]
async fn progress_is_for_the_candidate_their_hr_user_and_admins() {
    let o = org().await;
    let vars = json!({ "c": o.candidate.id, "from": WINDOW.0, "to": WINDOW.1 });
    for outsider in [&o.other_candidate, &o.other_hr] {
        o.app.graphql_as(outsider, PROGRESS, vars.clone()).await.expect_error("NOT_FOUND");
    }
    o.app.graphql_with(None, PROGRESS, vars).await.expect_error("UNAUTHENTICATED");
    // Staff say whose progress they mean.
    o.app.graphql_as(&o.admin, PROGRESS, window()).await.expect_error("BAD_USER_INPUT");
    // Another candidate's own statistics are theirs alone: empty.
    let theirs = o.app.graphql_as(&o.other_candidate, MY_STATS, window()).await;
    assert_eq!(theirs.data()["myStats"]["averages"]["answers"], 0);
    assert_eq!(theirs.data()["myStats"]["bestQuestionType"], Value::Null);
}

const DISTRIBUTION: &str = "query($job: ID, $from: DateTime, $to: DateTime, $size: Int!) { analytics {
    scoreDistribution(jobId: $job, from: $from, to: $to, bucketSize: $size) {
        edges { node { jobId jobTitle interviews mean median buckets { from to count } } } pageInfo { hasNextPage } } } }";
const FUNNEL: &str = "query($job: ID, $from: DateTime, $to: DateTime) { analytics { funnel(jobId: $job, from: $from, to: $to) {
    jobId stages { stage count conversionFromPrevious conversionFromScheduled medianSecondsFromPrevious }
    timeToEvaluation { p50Seconds p90Seconds } } } }";
const PLATFORM: &str = "query($from: DateTime, $to: DateTime) { analytics { platform(from: $from, to: $to) {
    firstDay lastDay activity { day interviewsScheduled practiceSessions answersSubmitted signUps }
    evaluations { provider model evaluations fallbacks } aiCost { day provider usd }
    queue { jobs { kind status count } due oldestDueSeconds retrying deadLast24Hours } } } }";

#[tokio::test]
async fn job_views_are_for_staff_in_their_scope_and_platform_analytics_for_admins() {
    let o = org().await;
    let vars = json!({ "job": o.job, "from": WINDOW.0, "to": WINDOW.1, "size": 25 });

    // The HR user's job: i1's result of 70 in the third quarter (i0 was scheduled before).
    let hr = o.app.graphql_as(&o.hr, DISTRIBUTION, vars.clone()).await;
    let edges = &hr.data()["analytics"]["scoreDistribution"]["edges"];
    assert_eq!(
        edges,
        &json!([{ "node": { "jobId": o.job, "jobTitle": "Backend engineer", "interviews": 1, "mean": 70.0,
            "median": 70.0, "buckets": [{ "from": 0, "to": 24, "count": 0 }, { "from": 25, "to": 49, "count": 0 },
            { "from": 50, "to": 74, "count": 1 }, { "from": 75, "to": 100, "count": 0 }] } }])
    );
    // Another HR user neither sees the job nor lists it; candidates see none of it.
    o.app.graphql_as(&o.other_hr, DISTRIBUTION, vars.clone()).await.expect_error("NOT_FOUND");
    let listed = o.app.graphql_as(&o.other_hr, DISTRIBUTION, json!({ "size": 10 })).await;
    assert_eq!(listed.data()["analytics"]["scoreDistribution"]["edges"], json!([]));
    o.app.graphql_as(&o.candidate, DISTRIBUTION, vars.clone()).await.expect_error("FORBIDDEN");
    o.app.graphql_as(&o.hr, DISTRIBUTION, json!({ "size": 7 })).await.expect_error("BAD_USER_INPUT");

    // The funnel: i1 and i3 scheduled in the window; both started, i1 completed, evaluated
    // (31 minutes after starting, a minute after completing) and reviewed by a person.
    let funnel =
        o.app.graphql_as(&o.admin, FUNNEL, json!({ "job": o.job, "from": WINDOW.0, "to": WINDOW.1 })).await;
    let funnel = &funnel.data()["analytics"]["funnel"];
    let counts: Vec<(String, i64)> = funnel["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["stage"].as_str().unwrap().to_owned(), s["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        counts,
        [("SCHEDULED", 2), ("STARTED", 2), ("COMPLETED", 1), ("EVALUATED", 1), ("HUMAN_REVIEWED", 1)]
            .map(|(s, n)| (s.to_owned(), n))
    );
    assert_eq!(funnel["stages"][1]["medianSecondsFromPrevious"], 3600.0);
    assert_eq!(funnel["stages"][2]["conversionFromPrevious"], 0.5);
    assert_eq!(funnel["stages"][2]["medianSecondsFromPrevious"], 1800.0);
    assert_eq!(funnel["timeToEvaluation"], json!({ "p50Seconds": 60.0, "p90Seconds": 60.0 }));
    o.app.graphql_as(&o.candidate, FUNNEL, window()).await.expect_error("FORBIDDEN");

    // Platform analytics: admins only.
    let week_of = json!({ "from": "2026-03-01T00:00:00Z", "to": "2026-03-08T00:00:00Z" });
    for refused in [&o.hr, &o.candidate] {
        o.app.graphql_as(refused, PLATFORM, week_of.clone()).await.expect_error("FORBIDDEN");
    }
    let platform = o.app.graphql_as(&o.admin, PLATFORM, week_of).await;
    let platform = &platform.data()["analytics"]["platform"];
    assert_eq!(
        (platform["firstDay"].as_str(), platform["lastDay"].as_str()),
        (Some("2026-03-01"), Some("2026-03-07"))
    );
    let days = platform["activity"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    assert_eq!(
        days[1],
        json!({ "day": "2026-03-02", "interviewsScheduled": 1, "practiceSessions": 0, "answersSubmitted": 2, "signUps": 0 })
    );
    // Evaluations are counted on the day they were written: today, not that week.
    assert_eq!(platform["evaluations"], json!([]));
    let recent = o.app.graphql_as(&o.admin, PLATFORM, json!({})).await;
    assert_eq!(
        recent.data()["analytics"]["platform"]["evaluations"],
        json!([{ "provider": "offline", "model": "minilm", "evaluations": 7, "fallbacks": 0 }])
    );
}

#[tokio::test]
async fn windows_are_bounded_and_checked() {
    let o = org().await;
    let backwards = json!({ "from": WINDOW.1, "to": WINDOW.0 });
    let message = o.app.graphql_as(&o.candidate, MY_STATS, backwards).await.expect_error("BAD_USER_INPUT");
    assert!(message.contains("from"), "{message}");
    let too_long = json!({ "from": "2025-01-01T00:00:00Z", "to": "2026-03-01T00:00:00Z" });
    let message = o.app.graphql_as(&o.admin, PLATFORM, too_long).await.expect_error("BAD_USER_INPUT");
    assert!(message.contains("at most 366 days"), "{message}");
}

const FAIRNESS: &str = "query($from: DateTime, $to: DateTime, $margin: Int, $first: Int, $after: String) {
    analytics { fairness(from: $from, to: $to) { minGroupSize
        byQuestionType { questionType suppressed answers mean buckets { from count } }
        byEvaluator { evaluator { provider model rubricVersion promptVersion } suppressed answers }
        byJob { edges { node { jobTitle suppressed answers mean } } }
        disagreements(margin: $margin, first: $first, after: $after) {
            edges { node { questionText questionType aiScore humanScore difference evaluator { provider rubricVersion } } }
            pageInfo { hasNextPage endCursor } } } } }";

#[tokio::test]
async fn fairness_hides_groups_of_fewer_candidates_than_the_minimum_and_lists_disagreements() {
    let app = TestApp::new().await;
    let (admin, hr, unmapped) = (app.admin().await, app.hr().await, app.hr().await);
    app.map_hr(&admin, &hr).await;
    let job = job(&app, &hr, "Data engineer").await;
    // Five candidates answer a behavioural question on five days (40 to 80), one more a
    // situational one (95).
    let mut answers = Vec::new();
    for (n, (kind, score)) in [
        ("BEHAVIOURAL", 40),
        ("BEHAVIOURAL", 50),
        ("BEHAVIOURAL", 60),
        ("BEHAVIOURAL", 70),
        ("BEHAVIOURAL", 80),
        ("SITUATIONAL", 95),
    ]
    .into_iter()
    .enumerate()
    {
        let candidate = app.candidate().await;
        app.assign(&admin, &candidate, &hr).await;
        let day = 2 + n.min(4);
        let started = format!("2026-03-0{day}T08:00:00Z");
        let new = NewInterview {
            candidate: &candidate,
            hr: Some(&hr),
            job: Some(&job),
            practice: false,
            status: "EVALUATED",
            started: &started,
            result: Some(score),
        };
        let id = interview(&app, new).await;
        let answer = answer(&app, &id, 1, kind, &format!("2026-03-0{day}T08:05:00Z")).await;
        evaluate(&app, answer, [score, score, score, score, score]).await;
        answers.push(answer);
    }
    for (answer, human) in answers.iter().zip([90, 75, 65]) {
        override_score(&app, &admin, *answer, human).await;
    }
    // The whole days from the rollup, the partial first and last from the per-answer table.
    let vars = json!({ "from": "2026-03-02T06:00:00Z", "to": "2026-03-06T12:00:00Z", "first": 1 });

    for viewer in [&admin, &hr] {
        let response = app.graphql_as(viewer, FAIRNESS, vars.clone()).await;
        let fairness = &response.data()["analytics"]["fairness"];
        assert_eq!(fairness["minGroupSize"], 5);
        let buckets: Vec<Value> =
            (0..10).map(|b| json!({ "from": b * 10, "count": i32::from((4..=8).contains(&b)) })).collect();
        assert_eq!(
            fairness["byQuestionType"],
            json!([
                { "questionType": "BEHAVIOURAL", "suppressed": false, "answers": 5, "mean": 60.0, "buckets": buckets },
                { "questionType": "SITUATIONAL", "suppressed": true, "answers": null, "mean": null, "buckets": null },
            ]),
            "as {}",
            viewer.email
        );
        assert_eq!(
            fairness["byEvaluator"],
            json!([{ "evaluator": { "provider": "offline", "model": "minilm", "rubricVersion": "rubric-1", "promptVersion": null },
                "suppressed": false, "answers": 6 }])
        );
        assert_eq!(
            fairness["byJob"]["edges"],
            json!([{ "node": { "jobTitle": "Data engineer", "suppressed": false, "answers": 6, "mean": 395.0 / 6.0 } }])
        );
        // Differences of 50, 25 and 5: over the default margin of 20, largest first, a page each.
        let disagreements = &fairness["disagreements"];
        assert_eq!(disagreements["edges"][0]["node"]["difference"], 50);
        assert_eq!(
            disagreements["edges"][0]["node"],
            json!({ "questionText": "Question 1 (BEHAVIOURAL)", "questionType": "BEHAVIOURAL", "aiScore": 40,
                "humanScore": 90, "difference": 50, "evaluator": { "provider": "offline", "rubricVersion": "rubric-1" } })
        );
        assert_eq!(disagreements["pageInfo"]["hasNextPage"], true);
        let mut next = vars.clone();
        next["after"] = disagreements["pageInfo"]["endCursor"].clone();
        let second = app.graphql_as(viewer, FAIRNESS, next).await;
        let second = &second.data()["analytics"]["fairness"]["disagreements"];
        assert_eq!(second["edges"][0]["node"]["difference"], 25);
        assert_eq!(second["pageInfo"]["hasNextPage"], false);
    }

    let all = app
        .graphql_as(&admin, FAIRNESS, json!({ "from": vars["from"], "to": vars["to"], "margin": 0 }))
        .await;
    let differences: Vec<i64> = all.data()["analytics"]["fairness"]["disagreements"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["difference"].as_i64().unwrap())
        .collect();
    assert_eq!(differences, [50, 25, 5]);
    app.graphql_as(&admin, FAIRNESS, json!({ "margin": 101 })).await.expect_error("BAD_USER_INPUT");

    // Candidates and HR users not mapped to an admin see nothing of it.
    let candidate = app.candidate().await;
    app.graphql_as(&candidate, FAIRNESS, vars.clone()).await.expect_error("FORBIDDEN");
    app.graphql_as(&unmapped, FAIRNESS, vars).await.expect_error("FORBIDDEN");
    app.run_jobs().await;
}
