"""Data-quality gates: Great Expectations 1.x suites run on pandas frames inside tasks.

`check_frame` runs a list of expectations on a frame with an ephemeral GX
context and returns a readable summary; `DataQualityError` carries it when a
blocking check fails. Row-level rules that decide which rows are rejected
live with each pipeline (a pure function returning the reason per row); the
suites then check the accepted frame as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class DataQualityError(RuntimeError):
    """A blocking check failed; the message is the readable summary."""


@dataclass
class QualityReport:
    suite: str
    rows: int
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        if self.passed:
            return f"{self.suite}: {self.rows} rows, all checks passed"
        return (
            f"{self.suite}: {self.rows} rows, {len(self.failures)} check(s) failed: "
            + "; ".join(self.failures)
        )


MAX_NAMED = 30  # rows named per failed check; the rest are counted


def check_frame(
    frame, expectations: list, suite_name: str, name_column: str | None = None
) -> QualityReport:
    """Validate `frame` against GX expectation objects; never raises for failures.

    With `name_column`, each failed check names its unexpected rows by that column
    (e.g. the file path), so the summary says which rows failed, not only how many.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # keep task logs clean
    source = context.data_sources.add_pandas(f"{suite_name}_source")
    asset = source.add_dataframe_asset(f"{suite_name}_frame")
    batch_definition = asset.add_batch_definition_whole_dataframe(f"{suite_name}_batch")
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    suite = gx.ExpectationSuite(name=suite_name, expectations=expectations)
    result_format = (
        {"result_format": "COMPLETE", "unexpected_index_column_names": [name_column]}
        if name_column
        else "SUMMARY"
    )
    result = batch.validate(suite, result_format=result_format)
    report = QualityReport(suite=suite_name, rows=len(frame))
    for outcome in result.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        column = config.kwargs.get("column") or config.kwargs.get("column_list") or ""
        found = outcome.result or {}
        unexpected = found.get("unexpected_count")
        detail = f" ({unexpected} unexpected)" if unexpected is not None else ""
        label = config.description or f"{config.type} {column}".strip()  # description: ours
        failure = f"{label}{detail}"
        names = [row[name_column] for row in found.get("unexpected_index_list") or []]
        if name_column and names:
            more = len(names) - MAX_NAMED
            failure += ": " + ", ".join(map(str, names[:MAX_NAMED]))
            failure += f" and {more} more" if more > 0 else ""
        report.failures.append(failure)
    return report


def require(report: QualityReport) -> QualityReport:
    """Raise `DataQualityError` with the summary when any check failed."""
    if not report.passed:
        raise DataQualityError(report.summary())
    return report
