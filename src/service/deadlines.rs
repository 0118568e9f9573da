//! The deadline feed: every pending or missed deadline within the caller's reach — a case's own
//! (acceptance review, supplement, copy, reply, decision), a respondent's compliance time limit
//! and an opinion letter's report-back — with who handles it, sorted by due date.
//!
//! Candidates come from indexed stored dates, never from every case: open cases by their
//! earliest pending or missed deadline (`next_deadline_on`), compliance and letters by their
//! projected due dates. A case's deadlines are then computed by the same rules as its view, so
//! the feed and the case never disagree.

use std::{cmp::Ordering, collections::HashMap};

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Caller,
    db::{
        self,
        followup::{FeedBounds, FeedPage},
    },
    domain::{
        deadlines::{self, DeadlineStatus},
        followup::{FeedKind, FeedStatus},
        lifecycle::CaseLifecycle,
    },
    service::error::{ServiceError, ServiceResult},
    service::{cases::effective_deadline_facts, letters::todays},
    startup::AppState,
};

/// Which deadlines the feed lists.
#[derive(Debug, Clone, Default)]
pub struct FeedFilter {
    pub kind: Option<FeedKind>,
    pub status: Option<FeedStatus>,
    /// Only deadlines this user handles.
    pub handler: Option<Uuid>,
    /// Due on or after this day.
    pub due_from: Option<NaiveDate>,
    /// Due on or before this day.
    pub due_to: Option<NaiveDate>,
}

/// A user who handles a deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HandlerRef {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
}

/// One deadline still to meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeadlineItem {
    pub kind: FeedKind,
    pub status: FeedStatus,
    /// The last day to act.
    pub due_on: NaiveDate,
    /// Days from today to the due day, while pending.
    pub days_left: Option<i64>,
    /// Days since the due day, once missed.
    pub days_late: Option<i64>,
    /// The organ whose deadline it is.
    pub organ_id: Uuid,
    /// The case (for case deadlines and compliance).
    pub case_id: Option<Uuid>,
    pub case_number: Option<String>,
    /// The letter (for report-backs).
    pub letter_id: Option<Uuid>,
    pub letter_document_number: Option<String>,
    /// Who handles it: the case's handlers, or the letter's.
    pub handlers: Vec<HandlerRef>,
}

impl DeadlineItem {
    /// The feed's sort key, also its keyset cursor: due date, kind, then the case or letter.
    pub fn key(&self) -> FeedKey {
        FeedKey {
            due_on: self.due_on,
            kind: self.kind,
            subject: self.case_id.or(self.letter_id).unwrap_or_default(),
        }
    }
}

/// Where an item sits in the feed's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct FeedKey {
    pub due_on: NaiveDate,
    pub kind: FeedKind,
    pub subject: Uuid,
}

/// An item before its handlers' names are looked up.
struct Draft {
    item: DeadlineItem,
    handler_ids: Vec<Uuid>,
}

fn draft(
    kind: FeedKind,
    due_on: NaiveDate,
    today: NaiveDate,
    organ_id: Uuid,
    handler_ids: Vec<Uuid>,
) -> Draft {
    let (status, days_left, days_late) = if due_on < today {
        (FeedStatus::Missed, None, Some((today - due_on).num_days()))
    } else {
        (FeedStatus::Pending, Some((due_on - today).num_days()), None)
    };
    Draft {
        item: DeadlineItem {
            kind,
            status,
            due_on,
            days_left,
            days_late,
            organ_id,
            case_id: None,
            case_number: None,
            letter_id: None,
            letter_document_number: None,
            handlers: Vec::new(),
        },
        handler_ids,
    }
}

/// One page of the feed after `after`, and whether more follow.
pub async fn feed(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    caller: &Caller,
    filter: &FeedFilter,
    after: Option<FeedKey>,
    limit: usize,
) -> ServiceResult<(Vec<DeadlineItem>, bool)> {
    let todays = todays(conn, caller).await?;
    let earliest_today = todays.values().min().copied();
    let latest_today = todays.values().max().copied();
    let bounds = FeedBounds {
        handler: filter.handler,
        due_from: filter.due_from,
        due_to: filter.due_to,
        due_before: match filter.status {
            Some(FeedStatus::Missed) => latest_today,
            _ => None,
        },
        due_not_before: match filter.status {
            Some(FeedStatus::Pending) => earliest_today,
            _ => None,
        },
    };
    let wants = |kind: FeedKind| filter.kind.is_none_or(|wanted| wanted == kind);
    let today_of = |organ_id: &Uuid| todays.get(organ_id).copied();
    let mut drafts: Vec<Draft> = Vec::new();

    if filter.kind.is_none_or(FeedKind::is_case_deadline) {
        let calendar = db::calendar::load(conn).await?;
        let rules = &state.settings.rules.deadlines;
        for case in db::followup::case_candidates(conn, &caller.organ_path, &bounds).await? {
            let Some(today) = today_of(&case.organ_id) else {
                continue;
            };
            let lifecycle: CaseLifecycle =
                case.lifecycle.decode().map_err(ServiceError::internal)?;
            // A lapsed review counts as acceptance on read, so the feed shows the copy and
            // decision deadlines from the deemed day, not a missed review.
            let facts = effective_deadline_facts(&lifecycle, &calendar, rules, today);
            let list = deadlines::case_deadlines(&facts, &calendar, rules, today);
            for deadline in list {
                let (Some(kind), Some(due_on)) =
                    (FeedKind::of_case_deadline(deadline.kind), deadline.due_on)
                else {
                    continue;
                };
                if !wants(kind)
                    || !matches!(
                        deadline.status,
                        DeadlineStatus::Pending | DeadlineStatus::Missed
                    )
                {
                    continue;
                }
                let mut entry = draft(kind, due_on, today, case.organ_id, case.handlers.clone());
                entry.item.case_id = Some(case.id);
                entry.item.case_number.clone_from(&case.case_number);
                drafts.push(entry);
            }
        }
    }
    // Compliance and letters each come in their own order, so a page of each suffices; but
    // when the organs in reach are in different time zones the status is judged per organ
    // below, after the database's page, so then every candidate is read.
    let one_today = earliest_today == latest_today;
    let page = |kind: FeedKind| FeedPage {
        after: after.map(|after| match kind.cmp(&after.kind) {
            Ordering::Greater => (after.due_on, Uuid::nil()),
            Ordering::Less => (after.due_on, Uuid::max()),
            Ordering::Equal => (after.due_on, after.subject),
        }),
        limit: if one_today {
            i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)
        } else {
            i64::MAX
        },
    };
    if wants(FeedKind::Compliance) {
        let duties = db::followup::compliance_candidates(
            conn,
            &caller.organ_path,
            &bounds,
            page(FeedKind::Compliance),
        )
        .await?;
        for duty in duties {
            let Some(today) = today_of(&duty.organ_id) else {
                continue;
            };
            let mut entry = draft(
                FeedKind::Compliance,
                duty.due_on,
                today,
                duty.organ_id,
                duty.handlers,
            );
            entry.item.case_id = Some(duty.case_id);
            entry.item.case_number = duty.case_number;
            drafts.push(entry);
        }
    }
    if wants(FeedKind::LetterReportBack) {
        let letters = db::followup::letter_candidates(
            conn,
            &caller.organ_path,
            &bounds,
            page(FeedKind::LetterReportBack),
        )
        .await?;
        for letter in letters {
            let Some(today) = today_of(&letter.organ_id) else {
                continue;
            };
            let mut entry = draft(
                FeedKind::LetterReportBack,
                letter.report_due_on,
                today,
                letter.organ_id,
                vec![letter.handler_id],
            );
            entry.item.letter_id = Some(letter.id);
            entry.item.letter_document_number = Some(letter.document_number);
            drafts.push(entry);
        }
    }

    // The stored dates only narrowed the candidates; the exact filters apply here.
    drafts.retain(|d| {
        let item = &d.item;
        filter.status.is_none_or(|s| s == item.status)
            && filter.due_from.is_none_or(|from| item.due_on >= from)
            && filter.due_to.is_none_or(|to| item.due_on <= to)
            && filter.handler.is_none_or(|h| d.handler_ids.contains(&h))
            && after.is_none_or(|after| item.key() > after)
    });
    drafts.sort_by_key(|d| d.item.key());
    let has_more = drafts.len() > limit;
    drafts.truncate(limit);

    let mut ids: Vec<Uuid> = drafts.iter().flat_map(|d| d.handler_ids.clone()).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<Uuid, HandlerRef> = db::followup::user_names(conn, &ids)
        .await?
        .into_iter()
        .map(|(id, username, display_name)| {
            (
                id,
                HandlerRef {
                    id,
                    username,
                    display_name,
                },
            )
        })
        .collect();
    let items = drafts
        .into_iter()
        .map(|d| {
            let mut item = d.item;
            item.handlers = d
                .handler_ids
                .iter()
                .filter_map(|id| names.get(id).cloned())
                .collect();
            item
        })
        .collect();
    Ok((items, has_more))
}
