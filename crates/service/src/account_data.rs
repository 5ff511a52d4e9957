//! A person's own data: export and erasure (SPEC USER-3, USER-4).

use std::collections::HashMap;

use chrono::Utc;
use diesel_async::AsyncConnection;
use viva_domain::vocab::AuditAction;
use viva_domain::{AnswerId, InterviewId, Role, UserId};
use viva_store::models::session::Principal;
use viva_store::models::user::{self as users, User};
use viva_store::models::{audit as audit_store, conversation, email, evaluation, interview, mapping};
use viva_store::models::{notification, session};

use crate::accounts::MAX_PRESENTED_PASSWORD_BYTES;
use crate::auth::{settle_access_change, throttle};
use crate::{Service, ServiceError, ServiceResult, audit};

/// Most interviews one export holds.
const MAX_EXPORTED_INTERVIEWS: i64 = 10_000;

/// Everything stored about the principal, as one JSON document: profile, interviews
/// (questions, answers and their evaluations), sessions, audit entries about them (with only
/// their own addresses), mapping requests, conversations with their messages, notifications and
/// emails sent to them.
pub async fn export_my_data(service: &Service, principal: &Principal) -> ServiceResult<serde_json::Value> {
    let mut conn = service.pool.get().await?;
    let me = principal.user_id;
    let user = User::find(&mut conn, me).await?.ok_or(ServiceError::NotFound("user"))?;
    let sessions = session::all_for(&mut conn, me).await?;
    let audit = audit_store::involving(&mut conn, me).await?;
    let requests = mapping::involving(&mut conn, me).await?;
    let conversations = conversation::all_for(&mut conn, me).await?;
    let notifications = notification::all_for(&mut conn, me).await?;
    let emails = email::for_recipient(&mut conn, &user.email).await?;
    let resumes = viva_store::models::resume::of_candidate(&mut conn, me).await?;
    // Their interviews (as the candidate, practice included), with the questions asked, the
    // answers given and the evaluations of those answers (without the answer key).
    let interviews = interview::list(
        &mut conn,
        interview::Scope::Candidate(me),
        &interview::InterviewFilter::default(),
        None,
        MAX_EXPORTED_INTERVIEWS,
    )
    .await?
    .into_iter()
    .map(|(interview, _candidate)| interview)
    .collect::<Vec<_>>();
    let interview_ids: Vec<InterviewId> = interviews.iter().map(|i| i.id).collect();
    let questions = interview::questions_of(&mut conn, &interview_ids).await?;
    let answers = interview::answers_of(&mut conn, &interview_ids).await?;
    let answer_ids: Vec<AnswerId> = answers.iter().map(|a| a.id).collect();
    let evaluations = evaluation::current_of(&mut conn, &answer_ids).await?;
    let files = viva_store::models::media::of_answers(&mut conn, &answer_ids).await?;
    let transcripts = viva_store::models::media::transcripts_of(&mut conn, &answer_ids).await?;
    let people: HashMap<UserId, String> = {
        let mut ids: Vec<UserId> = conversations.iter().map(|(c, _)| c.other(me)).collect();
        ids.extend(requests.iter().flat_map(|r| [r.hr_id, r.admin_id]));
        users::find_many(&mut conn, &ids).await?.into_iter().map(|u| (u.id, u.full_name)).collect()
    };
    let name = |id: UserId| people.get(&id).cloned();
    Ok(serde_json::json!({
        "exportedAt": Utc::now(),
        "profile": {
            "id": user.id.0, "email": user.email, "emailVerifiedAt": user.email_verified_at,
            "fullName": user.full_name, "role": user.role.as_str(), "status": user.status.as_str(),
            "headline": user.headline, "phone": user.phone, "location": user.location,
            "skills": user.skills, "yearsOfExperience": user.years_of_experience,
            "company": user.company, "jobTitle": user.job_title,
            "preferences": { "language": user.language, "emailNotifications": user.email_notifications,
                             "inAppNotifications": user.in_app_notifications,
                             "discoverable": user.discoverable },
            "mappedAdminId": user.mapped_admin_id, "assignedHrId": user.assigned_hr_id,
            "lastLoginAt": user.last_login_at, "createdAt": user.created_at, "updatedAt": user.updated_at,
        },
        "interviews": interviews.iter().map(|i| serde_json::json!({
            "id": i.id, "role": i.role_slug, "difficulty": i.difficulty.as_str(), "practice": i.practice,
            "status": i.status.as_str(), "windowStart": i.window_start, "windowEnd": i.window_end,
            "startedAt": i.started_at, "completedAt": i.completed_at, "overallScore": i.overall_score,
            "grade": i.grade,
            "questions": questions.iter().filter(|q| q.interview_id == i.id).map(|q| {
                let answer = answers.iter().find(|a| a.interview_question_id == q.id);
                let evaluated = answer.and_then(|a| evaluations.iter().find(|e| e.answer_id == a.id));
                serde_json::json!({
                    "position": q.position, "text": q.text,
                    "answer": answer.map(|a| serde_json::json!({
                        "text": a.text, "durationSeconds": a.duration_seconds, "submittedAt": a.submitted_at,
                        "humanScore": a.human_score, "humanScoreReason": a.human_score_reason,
                        "transcript": transcripts.iter().find(|t| t.answer_id == a.id).map(|t| serde_json::json!({
                            "status": t.status.as_str(), "text": t.text, "language": t.language,
                            "durationSeconds": t.duration_seconds, "segments": t.segments,
                            "provider": t.provider, "model": t.model, "failure": t.failure,
                        })),
                        // The audio and recordings: which are still held (downloadable from the
                        // app until their retention ends) and which were deleted, and when.
                        "files": files.iter().filter(|f| f.answer_id == a.id).map(|f| serde_json::json!({
                            "id": f.id, "kind": f.kind.as_str(), "mediaType": f.media_type,
                            "byteSize": f.byte_size, "storedAt": f.created_at, "held": f.deleted_at.is_none(),
                            "deletedAt": f.deleted_at,
                        })).collect::<Vec<_>>(),
                    })),
                    "evaluation": evaluated.map(|e| serde_json::json!({
                        "overallScore": e.overall_score, "grade": e.grade, "provider": e.provider,
                        "model": e.model, "rubricVersion": e.rubric_version, "createdAt": e.created_at,
                        "scores": e.body.get("scores"), "strengths": e.body.get("strengths"),
                        "improvements": e.body.get("improvements"), "feedback": e.body.get("feedback"),
                    })),
                })
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        // Their resumes: what was read from each file and found in it (the files themselves
        // stay downloadable from the app while they are kept).
        "resumes": resumes.iter().map(|r| serde_json::json!({
            "id": r.id, "fileName": r.file_name, "format": r.kind.as_str(), "byteSize": r.byte_size,
            "status": r.status.as_str(), "active": r.active, "uploadedAt": r.created_at,
            "analysedAt": r.analysed_at, "skills": r.skills, "yearsOfExperience": r.years_of_experience,
            "analysis": r.analysis,
        })).collect::<Vec<_>>(),
        "sessions": sessions.iter().map(|s| serde_json::json!({
            "id": s.id, "createdAt": s.created_at, "lastSeenAt": s.last_seen_at, "revokedAt": s.revoked_at,
            "userAgent": s.user_agent, "ipAddress": s.ip_address,
        })).collect::<Vec<_>>(),
        "auditLog": audit.iter().map(|e| serde_json::json!({
            "occurredAt": e.occurred_at, "action": e.action,
            "asActor": e.actor_id == Some(me), "asTarget": e.target_user_id == Some(me),
            // The address an entry holds is its actor's: someone else's is not theirs to see.
            "ipAddress": if e.actor_id == Some(me) { e.ip_address.clone() } else { None },
            "details": e.details,
        })).collect::<Vec<_>>(),
        "mappingRequests": requests.iter().map(|r| serde_json::json!({
            "id": r.id, "kind": r.kind.as_str(), "status": r.status.as_str(), "message": r.message,
            "hr": name(r.hr_id), "admin": name(r.admin_id), "createdAt": r.created_at, "decidedAt": r.decided_at,
        })).collect::<Vec<_>>(),
        "conversations": conversations.iter().map(|(c, messages)| serde_json::json!({
            "id": c.id, "with": name(c.other(me)), "createdAt": c.created_at,
            "messages": messages.iter().map(|m| serde_json::json!({
                "id": m.id, "fromMe": m.sender_id == me, "body": m.body, "sentAt": m.created_at, "readAt": m.read_at,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "notifications": notifications.iter().map(|n| serde_json::json!({
            "id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "data": n.data,
            "createdAt": n.created_at, "readAt": n.read_at,
        })).collect::<Vec<_>>(),
        "emails": emails.iter().map(|e| serde_json::json!({
            "subject": e.subject, "createdAt": e.created_at, "sentAt": e.sent_at,
        })).collect::<Vec<_>>(),
    }))
}

/// Erases the principal's account and data, after checking their password (throttled like
/// sign-in: a stolen access token must not become a way to guess the password). Sessions end at
/// once; the audit log keeps that the account was deleted, without personal data. The last
/// admin cannot delete themselves.
pub async fn delete_my_account(
    service: &Service,
    principal: &Principal,
    password: String,
) -> ServiceResult<()> {
    if password.len() > MAX_PRESENTED_PASSWORD_BYTES {
        return Err(ServiceError::bad_field("password", "is incorrect"));
    }
    let (hash, reserved) = {
        let mut conn = service.pool.get().await?;
        let me = User::find(&mut conn, principal.user_id).await?.ok_or(ServiceError::NotFound("user"))?;
        let limits = &service.config.throttle;
        let bucket = throttle::account_bucket(&me.email);
        let reserved =
            throttle::reserve(&mut conn, limits, &[(&bucket, limits.max_failures_per_account)]).await?;
        (User::password_hash(&mut conn, principal.user_id).await?, reserved)
    };
    if !service.passwords.verify(password, hash).await? {
        return Err(ServiceError::bad_field("password", "is incorrect"));
    }
    let user_id = principal.user_id;
    let mut conn = service.pool.get().await?;
    throttle::release(&mut conn, &reserved).await?;
    let (changed, files) = conn
        .transaction::<_, ServiceError, _>(async move |conn| {
            let me = users::lock(conn, user_id).await?.ok_or(ServiceError::NotFound("user"))?;
            if me.role == Role::Admin && User::count_with_role(conn, Role::Admin).await? <= 1 {
                return Err(ServiceError::Conflict("the last admin cannot delete their account".into()));
            }
            let files = files_of(conn, me.id).await?;
            // An admin's HR users are unmapped with them.
            let changed = users::erase(conn, me.id).await?;
            audit::record(
                conn,
                None,
                AuditAction::AccountDeletedByOwner,
                None,
                None,
                serde_json::json!({ "role": me.role.as_str() }),
            )
            .await?;
            Ok((changed, files))
        })
        .await?;
    crate::reports::delete_files(service, &files).await;
    settle_access_change(service, &mut conn, &changed).await;
    Ok(())
}

/// Every stored file of a user's that erasing them must delete: report exports, resumes, and
/// the audio and recordings of their answers. Read in the erasing transaction; deleted after it
/// commits.
pub(crate) async fn files_of(
    conn: &mut viva_store::AsyncPgConnection,
    user: UserId,
) -> ServiceResult<Vec<crate::objects::ObjectKey>> {
    let mut files = crate::reports::files_of_candidate(conn, user).await?;
    files.extend(crate::resumes::files_of_candidate(conn, user).await?);
    files.extend(crate::interviews::spoken::files_of_candidate(conn, user).await?);
    Ok(files)
}
