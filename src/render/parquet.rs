//! Parquet: the rows of `export` as typed columns (through the `parquet` and `arrow` crates),
//! for warehouses that read them without a hand-written schema.
//!
//! Types follow the column [`Kind`]s: integers are INT64, flags BOOLEAN, times TIMESTAMP in
//! milliseconds adjusted to UTC (the same instant whatever `--tz` the CSV would show), texts
//! UTF-8 strings, and JSON values (`variables`, an event's `raw`) UTF-8 strings of Parquet's
//! JSON logical type (arrow's `arrow.json` extension), which DuckDB reads as `JSON` and Spark
//! as a string it can parse; every column is nullable. Column chunks are compressed with the
//! [`Codec`] chosen (zstd unless `--compression` says otherwise). Columns of [`Kind::Any`] (ids and custom
//! variables, which payloads send as numbers or texts) are strings holding the value's text,
//! so that one schema fits every file.
//!
//! A [`Renderer`] turns one payload into a [`Fragment`] (owned, on any thread, see
//! `select::stream`); a [`ParquetWriter`] appends fragments to column builders, hands them to
//! the parquet writer as record batches and writes row groups as they fill.

use std::sync::Arc;

use anyhow::{Context, Result};
use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Int64Builder, StringBuilder, TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::extension::Json;
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use super::encode::Codec;
use super::rows::{Cell, Columns, Kind};
use crate::output::Output;
use crate::render::rows::Record;

/// Rows handed to the parquet writer at once.
const BATCH_ROWS: usize = 8192;
/// Text bytes that end a batch early (long messages), keeping batches well under the 2 GiB
/// an arrow string array holds.
const BATCH_TEXT_BYTES: usize = 32 << 20;
/// Rows the column builders make room for at first: they grow as rows come, and a partition
/// with few rows keeps little memory.
const START_ROWS: usize = 256;
/// Rows of a row group: large enough for scans, small enough to skip by statistics.
const ROW_GROUP_ROWS: usize = 128 * 1024;

/// Columns whose values rarely repeat (ids, instants, free texts): a dictionary would cost
/// time to build and then be dropped for plain encoding anyway.
const UNIQUE: &[&str] = &[
    "conversation_id",
    "channel_id",
    "begin_at",
    "end_at",
    "begin_at_ms",
    "end_at_ms",
    "sent_at",
    "sent_at_ms",
    "offset_ms",
    "rating_desc",
    "visitor_email",
    "visitor_note",
    "visitor_ip",
    "first_url",
    "first_visitor_message",
    "variables",
    "source_line",
    "content",
];

/// The schema of the chosen columns, and how to turn a payload into their cells.
pub struct Renderer {
    columns: Columns,
    kinds: Vec<Kind>,
    schema: SchemaRef,
    codec: Codec,
}

/// The rows of one payload, cell by cell, row after row; texts in one buffer.
#[derive(Debug, Default)]
pub struct Fragment {
    pub rows: u64,
    values: Vec<Value>,
    text: String,
}

#[derive(Debug, Clone, Copy)]
enum Value {
    Null,
    Int(i64),
    Bool(bool),
    /// A range of [`Fragment::text`].
    Text(usize, usize),
}

impl Renderer {
    pub fn new(columns: Columns, codec: Codec) -> Renderer {
        let kinds = columns.kinds();
        let fields: Vec<Field> = columns
            .names()
            .into_iter()
            .zip(&kinds)
            .map(|(name, kind)| {
                let field = Field::new(name, data_type(*kind), true);
                match kind {
                    Kind::Json => field.with_extension_type(Json::default()),
                    _ => field,
                }
            })
            .collect();
        Renderer {
            columns,
            kinds,
            schema: Arc::new(Schema::new(fields)),
            codec,
        }
    }

    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The rows of one record.
    pub fn render(&self, record: Record) -> Result<Fragment> {
        let mut fragment = Fragment::default();
        let mut cells = Vec::new();
        self.columns.for_each_row(record, &mut cells, |row| {
            fragment.rows += 1;
            for (cell, kind) in row.iter().zip(&self.kinds) {
                let value = fragment.value(cell, *kind);
                fragment.values.push(value);
            }
            Ok::<_, anyhow::Error>(())
        })?;
        Ok(fragment)
    }
}

fn compression(codec: Codec) -> Compression {
    match codec {
        // Level 1, zstd's fast end: most of the gain over snappy for little more time.
        Codec::Zstd => Compression::ZSTD(ZstdLevel::default()),
        Codec::Snappy => Compression::SNAPPY,
        Codec::None => Compression::UNCOMPRESSED,
    }
}

fn data_type(kind: Kind) -> DataType {
    match kind {
        Kind::Int => DataType::Int64,
        Kind::Bool => DataType::Boolean,
        Kind::Time => DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
        Kind::Text | Kind::Json | Kind::Any => DataType::Utf8,
    }
}

impl Fragment {
    /// The value a cell takes in a column of `kind`; a cell of another type (which the column
    /// tables never produce) is null rather than a wrong value.
    fn value(&mut self, cell: &Cell, kind: Kind) -> Value {
        use std::fmt::Write as _;
        let start = self.text.len();
        match (kind, cell) {
            (_, Cell::Null) => return Value::Null,
            (Kind::Int, Cell::Int(n)) | (Kind::Time, Cell::Time(n)) => return Value::Int(*n),
            (Kind::Bool, Cell::Bool(b)) => return Value::Bool(*b),
            (Kind::Text | Kind::Json | Kind::Any, Cell::Text(text)) => self.text.push_str(text),
            (Kind::Any, Cell::Number(n)) => self.text.push_str(n),
            (Kind::Any, Cell::Int(n)) => {
                let _ = write!(self.text, "{n}");
            }
            (Kind::Any, Cell::Bool(b)) => self.text.push_str(if *b { "true" } else { "false" }),
            _ => return Value::Null,
        }
        Value::Text(start, self.text.len())
    }

    /// Bytes this fragment adds to the column builders, roughly.
    fn size(&self) -> usize {
        self.values.len() * 8 + self.text.len()
    }
}

enum Builder {
    Int(Int64Builder),
    Bool(BooleanBuilder),
    Time(TimestampMillisecondBuilder),
    Text(StringBuilder),
}

impl Builder {
    fn new(kind: Kind) -> Builder {
        match kind {
            Kind::Int => Builder::Int(Int64Builder::with_capacity(START_ROWS)),
            Kind::Bool => Builder::Bool(BooleanBuilder::with_capacity(START_ROWS)),
            Kind::Time => Builder::Time(
                TimestampMillisecondBuilder::with_capacity(START_ROWS).with_timezone("UTC"),
            ),
            Kind::Text | Kind::Json | Kind::Any => {
                Builder::Text(StringBuilder::with_capacity(START_ROWS, START_ROWS * 16))
            }
        }
    }

    fn append(&mut self, value: Value, text: &str) {
        match (self, value) {
            (Builder::Int(b), Value::Int(n)) => b.append_value(n),
            (Builder::Time(b), Value::Int(n)) => b.append_value(n),
            (Builder::Bool(b), Value::Bool(v)) => b.append_value(v),
            (Builder::Text(b), Value::Text(start, end)) => match text.get(start..end) {
                Some(text) => b.append_value(text),
                None => b.append_null(),
            },
            (Builder::Int(b), _) => b.append_null(),
            (Builder::Time(b), _) => b.append_null(),
            (Builder::Bool(b), _) => b.append_null(),
            (Builder::Text(b), _) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Time(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Text(b) => ArrayBuilder::finish(b),
        }
    }
}

/// Writes fragments, in order, into one parquet file.
pub struct ParquetWriter {
    schema: SchemaRef,
    builders: Vec<Builder>,
    /// Rows and bytes in the builders, not yet in a batch.
    pending_rows: usize,
    pending_bytes: usize,
    /// The parquet writer's estimate of its unwritten row group, after the last batch.
    in_progress: usize,
    writer: ArrowWriter<Output>,
}

impl ParquetWriter {
    pub fn start(renderer: &Renderer, out: Output) -> Result<ParquetWriter> {
        let mut properties = WriterProperties::builder()
            .set_compression(compression(renderer.codec))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("sshook {}", env!("CARGO_PKG_VERSION")));
        for field in renderer.schema.fields() {
            if UNIQUE.contains(&field.name().as_str()) {
                let column = ColumnPath::from(field.name().as_str());
                properties = properties.set_column_dictionary_enabled(column, false);
            }
        }
        let properties = properties.build();
        let writer = ArrowWriter::try_new(out, renderer.schema.clone(), Some(properties))
            .context("cannot start the parquet file")?;
        Ok(ParquetWriter {
            schema: renderer.schema.clone(),
            builders: renderer.kinds.iter().map(|k| Builder::new(*k)).collect(),
            pending_rows: 0,
            pending_bytes: 0,
            in_progress: 0,
            writer,
        })
    }

    pub fn write(&mut self, fragment: &Fragment) -> Result<()> {
        // Column by column: each inner loop appends to one builder of one type.
        let width = self.builders.len();
        for (column, builder) in self.builders.iter_mut().enumerate() {
            for value in fragment.values.iter().skip(column).step_by(width) {
                builder.append(*value, &fragment.text);
            }
        }
        self.pending_rows += fragment.rows as usize;
        self.pending_bytes += fragment.size();
        if self.pending_rows >= BATCH_ROWS || self.pending_bytes >= BATCH_TEXT_BYTES {
            self.write_batch()?;
        }
        Ok(())
    }

    /// Bytes held in memory for this file: rows not yet in a batch and the row group being
    /// built.
    pub fn buffered(&self) -> usize {
        self.pending_bytes + self.in_progress
    }

    /// Writes what is buffered as a row group, freeing its memory.
    pub fn flush(&mut self) -> Result<()> {
        self.write_batch()?;
        self.writer
            .flush()
            .context("cannot write a parquet row group")?;
        self.in_progress = 0;
        Ok(())
    }

    /// Writes the last rows and the footer, and returns the destination.
    pub fn finish(mut self) -> Result<Output> {
        self.write_batch()?;
        self.writer
            .into_inner()
            .context("cannot finish the parquet file")
    }

    fn write_batch(&mut self) -> Result<()> {
        if self.pending_rows == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)
            .context("cannot assemble a parquet batch")?;
        self.writer
            .write(&batch)
            .context("cannot write a parquet batch")?;
        self.pending_rows = 0;
        self.pending_bytes = 0;
        self.in_progress = self.writer.in_progress_size();
        Ok(())
    }
}
