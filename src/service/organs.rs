//! The organ tree and respondents as the caller may see and extend them, and the organ scope of
//! figures: every lookup goes through the one reach rule ([`Caller::reaches`]).

use diesel::result::Error as DieselError;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::{
    auth::Caller,
    db::{
        self,
        organs::{NewOrgan, NewRespondent, Organ, Respondent},
    },
    service::error::{ServiceError, ServiceResult},
};

/// The caller's own organ (its time zone gives the caller's today; its place in the tree decides
/// what only a root organ may do).
pub async fn own(conn: &mut AsyncPgConnection, caller: &Caller) -> ServiceResult<Organ> {
    Ok(db::organs::find_organ(conn, caller.organ_id).await?)
}

/// The organ `id` if it exists and lies within the caller's reach; `None` for one that does not
/// exist or lies outside it (the caller cannot tell the two apart). A failed query stays an error.
pub async fn find_within_reach(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Option<Organ>> {
    within_reach(caller, db::organs::find_organ(conn, id).await)
}

fn within_reach(
    caller: &Caller,
    found: Result<Organ, DieselError>,
) -> ServiceResult<Option<Organ>> {
    match found {
        Ok(organ) => Ok(caller.reaches(&organ).then_some(organ)),
        Err(DieselError::NotFound) => Ok(None),
        Err(err) => Err(err.into()),
    }
}

/// The caller's organ and the organs below it, parents first.
pub async fn list_within_reach(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> ServiceResult<Vec<Organ>> {
    Ok(db::organs::list_subtree(conn, &caller.organ_path).await?)
}

/// Creates an organ below `new.parent_id` (the caller's organ if none), which must be within reach.
pub async fn create(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    new: NewOrgan<'_>,
) -> ServiceResult<Organ> {
    let parent_id = new.parent_id.unwrap_or(caller.organ_id);
    let parent = find_within_reach(conn, caller, parent_id)
        .await?
        .ok_or_else(|| {
            ServiceError::invalid_field("parent_id", "no such organ within your administration")
        })?;
    Ok(db::organs::insert_organ(
        conn,
        NewOrgan {
            parent_id: Some(parent.id),
            ..new
        },
    )
    .await?)
}

/// Respondents answering to organs within the caller's reach, by name.
pub async fn list_respondents(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> ServiceResult<Vec<Respondent>> {
    Ok(db::organs::list_respondents_within(conn, &caller.organ_path).await?)
}

/// Creates a respondent of `organ_id` (the caller's organ if none), which must be within reach.
/// `new.organ_id` is replaced by the organ found.
pub async fn create_respondent(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    organ_id: Option<Uuid>,
    new: NewRespondent<'_>,
) -> ServiceResult<Respondent> {
    let organ_id = organ_id.unwrap_or(caller.organ_id);
    let organ = find_within_reach(conn, caller, organ_id)
        .await?
        .ok_or_else(|| {
            ServiceError::invalid_field("organ_id", "no such organ within your administration")
        })?;
    Ok(db::organs::insert_respondent(
        conn,
        &NewRespondent {
            organ_id: organ.id,
            ..new
        },
    )
    .await?)
}

/// The organ a figure is about, `organ_id` (the caller's own if none), and the organs whose cases
/// it counts: that organ and, with `include_subtree`, every organ below it. An organ out of reach
/// is as unknown as a missing one.
pub async fn figure_scope(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    organ_id: Option<Uuid>,
    include_subtree: bool,
) -> ServiceResult<(Organ, Vec<Uuid>)> {
    let organ_id = organ_id.unwrap_or(caller.organ_id);
    let organ = find_within_reach(conn, caller, organ_id)
        .await?
        .ok_or_else(|| ServiceError::not_found(format!("organ {organ_id}")))?;
    let organ_ids = if include_subtree {
        db::organs::list_subtree(conn, &organ.path)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect()
    } else {
        vec![organ.id]
    };
    Ok((organ, organ_ids))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::auth::Role;

    fn organ(path: &str) -> Organ {
        Organ {
            id: Uuid::nil(),
            code: "x".to_owned(),
            name: "x".to_owned(),
            short_name: "x".to_owned(),
            parent_id: None,
            path: path.to_owned(),
            time_zone: "Asia/Shanghai".to_owned(),
            case_number_pattern: String::new(),
            created_at: Utc::now(),
        }
    }

    fn caller(path: &str) -> Caller {
        Caller {
            user_id: Uuid::nil(),
            username: "a".to_owned(),
            organ_id: Uuid::nil(),
            organ_path: path.to_owned(),
            roles: vec![Role::Admin],
        }
    }

    #[test]
    fn only_a_missing_organ_is_none_and_a_failed_query_stays_an_error() {
        let caller = caller("/fj/fz/");
        let below = within_reach(&caller, Ok(organ("/fj/fz/gl/"))).expect("found");
        assert!(below.is_some());
        let beside = within_reach(&caller, Ok(organ("/fj/xm/"))).expect("found");
        assert!(beside.is_none());
        let missing = within_reach(&caller, Err(DieselError::NotFound)).expect("no error");
        assert!(missing.is_none());
        let failed = within_reach(&caller, Err(DieselError::BrokenTransactionManager));
        assert!(matches!(failed, Err(ServiceError::Database(_))));
    }
}
