//! How the domain's closed value sets are stored: as their snake_case text, read back as enums.

use diesel::{IntoSql, sql_types::Text};
use diesel_async::RunQueryDsl;
use fuyi::domain::{
    ApiValue,
    case::{ActType, AdminDomain, Channel, PartyKind, PartyRole},
    followup::{
        ComplianceOrder, Instance, JudgmentResult, LetterKind, MeasureKind, Outcome, Recipient,
        ServiceMethod,
    },
    lifecycle::{CaseState, Procedure, TerminationGround},
};
use strum::IntoEnumIterator;

use crate::support::TestApp;

#[tokio::test]
async fn stored_enums_are_their_text_and_unknown_text_is_an_error() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().await.unwrap();
    macro_rules! round_trip {
        ($($ty:ty),+) => {$(
            for value in <$ty>::iter() {
                let text: String = diesel::select(value.into_sql::<Text>())
                    .get_result(&mut conn)
                    .await
                    .unwrap();
                assert_eq!(text, value.as_str());
                let read: $ty = diesel::select(value.into_sql::<Text>())
                    .get_result(&mut conn)
                    .await
                    .unwrap();
                assert_eq!(read, value);
            }
        )+};
    }
    round_trip!(
        ActType,
        AdminDomain,
        Procedure,
        TerminationGround,
        Channel,
        PartyRole,
        PartyKind,
        CaseState,
        ServiceMethod,
        Recipient,
        ComplianceOrder,
        MeasureKind,
        Instance,
        JudgmentResult,
        Outcome,
        LetterKind
    );
    let err = diesel::select("filedd".into_sql::<Text>())
        .get_result::<CaseState>(&mut conn)
        .await
        .unwrap_err();
    // diesel names the field; the cause below it names the text and the type.
    let mut chain = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        chain.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    assert!(
        chain.contains("unknown stored value \"filedd\" for CaseState"),
        "{chain}"
    );
}
