//! The reference data — the working-day calendar, the organs and the respondents — held in
//! memory, exact across replicas.
//!
//! Every request already reads the database; it also reads the `reference_version` counter, which
//! triggers bump on every change to those tables, in the same round trip (pipelined with its own
//! query). When the counter is newer than what this process holds, it reloads before answering.
//! So a change committed through any replica shows in every replica's next answer, and an
//! unchanged counter costs no query at all.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use diesel_async::AsyncPgConnection;
use tokio::sync::Mutex;
use uuid::Uuid;

use super::error::{ServiceError, ServiceResult};
use crate::{
    db::{
        self,
        organs::{Organ, Respondent},
    },
    domain::calendar::WorkCalendar,
};

/// The reference data as of one value of the counter (or newer).
#[derive(Debug)]
pub struct Reference {
    /// The counter's value when this was loaded.
    pub version: i64,
    /// Every loaded calendar year.
    pub calendar: WorkCalendar,
    organs: HashMap<Uuid, Organ>,
    respondents: HashMap<Uuid, Respondent>,
}

impl Reference {
    fn from_rows(rows: db::reference::ReferenceRows) -> Self {
        Self {
            version: rows.version,
            calendar: rows.calendar,
            organs: rows.organs.into_iter().map(|o| (o.id, o)).collect(),
            respondents: rows.respondents.into_iter().map(|r| (r.id, r)).collect(),
        }
    }

    /// An organ that rows refer to by foreign key: its absence is an inconsistency, not a 404.
    pub fn organ(&self, id: Uuid) -> ServiceResult<&Organ> {
        self.organs
            .get(&id)
            .ok_or_else(|| ServiceError::internal(anyhow::anyhow!("organ {id} is not loaded")))
    }

    /// A respondent that rows refer to by foreign key; see [`Reference::organ`].
    pub fn respondent(&self, id: Uuid) -> ServiceResult<&Respondent> {
        self.respondents
            .get(&id)
            .ok_or_else(|| ServiceError::internal(anyhow::anyhow!("respondent {id} is not loaded")))
    }

    /// A respondent answering to an organ under `organ_path`, if there is one.
    pub fn respondent_within(&self, id: Uuid, organ_path: &str) -> Option<&Respondent> {
        let respondent = self.respondents.get(&id)?;
        let organ = self.organs.get(&respondent.organ_id)?;
        db::organs::is_within(&organ.path, organ_path).then_some(respondent)
    }
}

/// This process's copy of the reference data.
#[derive(Default)]
pub struct ReferenceCache {
    current: RwLock<Option<Arc<Reference>>>,
    /// One reload at a time: after a change, the requests that notice it wait for one load
    /// instead of each running their own.
    loading: Mutex<()>,
}

impl ReferenceCache {
    /// An empty cache; the first request loads it.
    pub fn new() -> Self {
        Self::default()
    }

    fn held(&self, version: i64) -> Option<Arc<Reference>> {
        let current = self
            .current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        current
            .as_ref()
            .filter(|held| held.version >= version)
            .map(Arc::clone)
    }

    /// The reference data at least as recent as `version`, the counter as the caller read it on
    /// `conn` (in the same round trip as its own query); reloads on `conn` when this process holds
    /// an older copy. The counter only grows, so a copy loaded at a later value is as good.
    pub async fn at(
        &self,
        conn: &mut AsyncPgConnection,
        version: i64,
    ) -> ServiceResult<Arc<Reference>> {
        if let Some(held) = self.held(version) {
            return Ok(held);
        }
        let _loading = self.loading.lock().await;
        if let Some(held) = self.held(version) {
            return Ok(held);
        }
        let loaded = Arc::new(Reference::from_rows(db::reference::load(conn).await?));
        let mut current = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if current
            .as_ref()
            .is_none_or(|held| held.version < loaded.version)
        {
            *current = Some(Arc::clone(&loaded));
        }
        Ok(loaded)
    }

    /// The reference data as of now: reads the counter (one round trip) and then [`Self::at`].
    /// For callers with no query of their own to pipeline it with.
    pub async fn current(&self, conn: &mut AsyncPgConnection) -> ServiceResult<Arc<Reference>> {
        let version = db::reference::version(conn).await?;
        self.at(conn, version).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::AdminDomain;
    use chrono::Utc;

    fn organ(id: Uuid, path: &str) -> Organ {
        Organ {
            id,
            code: path.to_owned(),
            name: path.to_owned(),
            short_name: path.to_owned(),
            parent_id: None,
            path: path.to_owned(),
            time_zone: "Asia/Shanghai".to_owned(),
            case_number_pattern: String::new(),
            created_at: Utc::now(),
        }
    }

    fn respondent(id: Uuid, organ_id: Uuid) -> Respondent {
        Respondent {
            id,
            organ_id,
            name: "某局".to_owned(),
            credit_code: None,
            domain: AdminDomain::PublicSecurity,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_respondent_is_within_reach_of_its_organ_and_the_organs_above_only() {
        let (city, district, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let of_district = Uuid::now_v7();
        let reference = Reference::from_rows(db::reference::ReferenceRows {
            version: 1,
            calendar: WorkCalendar::new([]),
            organs: vec![
                organ(city, "/city/"),
                organ(district, "/city/d1/"),
                organ(other, "/other/"),
            ],
            respondents: vec![respondent(of_district, district)],
        });
        assert!(reference.respondent_within(of_district, "/city/").is_some());
        assert!(
            reference
                .respondent_within(of_district, "/city/d1/")
                .is_some()
        );
        assert!(
            reference
                .respondent_within(of_district, "/other/")
                .is_none()
        );
        assert!(
            reference
                .respondent_within(Uuid::now_v7(), "/city/")
                .is_none()
        );
        assert!(reference.organ(other).is_ok());
        assert!(reference.organ(Uuid::now_v7()).is_err());
    }
}
