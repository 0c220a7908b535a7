//! The test harness: real servers, a signed client, and a macro running a test on both
//! backends.

pub mod cli;
pub mod client;
pub mod fixtures;
pub mod plugins;
pub mod receiver;
pub mod server;

pub use client::{Answer, Client};
pub use server::{Backend, Server};

/// The keys of a JSON object, in order.
pub fn keys(object: &serde_json::Value) -> Vec<&str> {
    object
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// Declares `sqlite::NAME` and `mariadb::NAME` tests for each `async fn NAME(Backend)`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::support::Backend::Sqlite).await
                }
            )*
        }
        mod mariadb {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::support::Backend::MariaDb).await
                }
            )*
        }
    };
}
pub(crate) use on_both_backends;
