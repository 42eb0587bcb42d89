//! `clearsim schema`: the JSON Schema of the scenario file format, on standard output.

use super::Failure;
use super::output::emit;

/// Runs `schema`.
pub fn schema() -> Result<(), Failure> {
    emit(&clearsim::scenario::schema_json())
}
