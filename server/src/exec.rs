//! Running one decoded request against the engine: [`Request`] in,
//! [`Response`] or [`ErrorReply`] out. The server's cores call [`execute`]
//! for every data-plane and table request; `Hello` and `Stats` need the
//! server's own state and are answered by the runtime.
//!
//! [`owner`] tells the runtime which shard a point request belongs to, so
//! that a request arriving on another core can be forwarded to its owner.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;

use dynacore::{Db, ShardId};

use crate::protocol::{ErrorCode, ErrorReply, Request, Response};

/// A reply or an error reply.
pub type ReplyResult = Result<Response, ErrorReply>;

/// A reply still being worked out (a write waiting for its group commit).
pub type PendingReply = Pin<Box<dyn Future<Output = ReplyResult> + Send + 'static>>;

/// What [`execute`] gives back: the reply now, or a future to poll.
pub enum Execution {
    Ready(ReplyResult),
    Pending(PendingReply),
}

impl std::fmt::Debug for Execution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Execution::Ready(result) => f.debug_tuple("Ready").field(result).finish(),
            Execution::Pending(_) => f.write_str("Pending(..)"),
        }
    }
}

/// The shard that owns the item a point request (Get/Put/Update/Delete)
/// names; `None` for every other request, and for a point request whose
/// table or key is invalid (running it anywhere gives the right error).
pub fn owner(db: &Db, request: &Request) -> Option<ShardId> {
    match request {
        Request::GetItem(r) => db.shard_of_item(&r.table_name, &r.key),
        Request::PutItem(r) => db.shard_of_item(&r.table_name, &r.item),
        Request::UpdateItem(r) => db.shard_of_item(&r.table_name, &r.key),
        Request::DeleteItem(r) => db.shard_of_item(&r.table_name, &r.key),
        _ => None,
    }
}

fn engine<T>(result: dynacore::Result<T>, f: impl FnOnce(T) -> Response) -> ReplyResult {
    result.map(f).map_err(ErrorReply::from_engine)
}

fn pending_write(
    write: impl Future<Output = dynacore::Result<dynacore::WriteOutput>> + Send + 'static,
) -> Execution {
    Execution::Pending(Box::pin(async move {
        write
            .await
            .map(Response::Write)
            .map_err(ErrorReply::from_engine)
    }))
}

/// Runs `request` on this thread, as [`execute_unguarded`] does, but a
/// panic in the engine becomes an `Internal` error reply (for this request
/// only) instead of ending the calling core's thread — which would strand
/// every connection on it and every request other cores forwarded to it.
pub fn execute(db: &Db, request: Request) -> Execution {
    match catch_unwind(AssertUnwindSafe(|| execute_unguarded(db, request))) {
        Ok(Execution::Pending(future)) => Execution::Pending(Box::pin(Guarded(future))),
        Ok(ready) => ready,
        Err(panic) => Execution::Ready(Err(panicked(panic))),
    }
}

/// A pending reply whose polls are guarded like [`execute`].
struct Guarded(PendingReply);

impl Future for Guarded {
    type Output = ReplyResult;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<ReplyResult> {
        match catch_unwind(AssertUnwindSafe(|| self.0.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(panic) => std::task::Poll::Ready(Err(panicked(panic))),
        }
    }
}

fn panicked(panic: Box<dyn std::any::Any + Send>) -> ErrorReply {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    ErrorReply::new(
        ErrorCode::Internal,
        format!("the request failed inside the engine (a bug): {what}"),
    )
}

/// Runs `request` on this thread. Point requests should run on their
/// owner's core ([`owner`]); the engine is correct wherever they run.
///
/// Single-item writes come back `Pending` (their answer waits for a group
/// commit; nothing here waits for a sync). Everything else is `Ready`;
/// BatchWriteItem and table changes still wait for their syncs on this
/// thread.
pub fn execute_unguarded(db: &Db, request: Request) -> Execution {
    let result = match request {
        Request::Hello(_) | Request::Stats => Err(ErrorReply::new(
            ErrorCode::Internal,
            "Hello and Stats are answered by the server runtime",
        )),
        Request::CreateTable(r) => engine(db.create_table_with(&r), Response::Table),
        Request::DeleteTable { table_name } => {
            engine(db.delete_table(&table_name), Response::Table)
        }
        Request::DescribeTable {
            table_name,
            with_stats,
        } => {
            if with_stats {
                engine(db.describe_table_with_stats(&table_name), |out| {
                    Response::DescribeTable {
                        table: out.table,
                        stats: Some((out.item_count, out.table_size_bytes)),
                    }
                })
            } else {
                engine(db.describe_table(&table_name), |table| {
                    Response::DescribeTable { table, stats: None }
                })
            }
        }
        Request::ListTables(r) => engine(db.list_tables_with(&r), Response::ListTables),
        Request::UpdateTable(r) => engine(db.update_table(&r), Response::Table),
        Request::GetItem(r) => engine(db.get_item_with(&r), Response::Item),
        // Single-item writes are decided now and wait for their group
        // commit as futures, so one core keeps many writes in one group.
        Request::PutItem(r) => return pending_write(db.put_item_with_async(&r)),
        Request::UpdateItem(r) => return pending_write(db.update_item_async(&r)),
        Request::DeleteItem(r) => return pending_write(db.delete_item_with_async(&r)),
        Request::Query(r) => engine(db.query(&r), Response::Page),
        Request::Scan(r) => engine(db.scan(&r), Response::Page),
        Request::BatchGetItem(r) => engine(db.batch_get_item(&r), Response::BatchGetItem),
        Request::BatchWriteItem(r) => engine(db.batch_write_item(&r), Response::BatchWriteItem),
    };
    Execution::Ready(result)
}
