# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bulk row writer for XlsxWriter's constant_memory mode.

XlsxWriter spends about 10 µs per cell in its generic path (cell reference
parsing, a cell tuple per value, attribute lists and regex escapes when the
row is flushed): 7 s of the 10-15 s a 100,000-line P&L workbook took. In
constant_memory mode a finished row is only XML appended to the sheet's
temporary file, so ``RowsWorksheet.write_rows`` writes whole rows of plain
numbers and strings as that XML directly, byte for byte what XlsxWriter
writes for the same cells (tests/test_workbook.py compares both on values
that need escaping), and keeps the worksheet's bookkeeping (dimensions, the
pending row) as XlsxWriter's own writers do. Anything the fast path does not
reproduce (other modes, row options, comments, values needing escapes) goes
through XlsxWriter's own code.
"""

import re

from xlsxwriter.utility import preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet, re_control_chars_1, re_control_chars_2

NUMBER = "number"
STRING = "string"

# a string XlsxWriter writes as is: nothing to escape, no control character,
# no "_xHHHH_" sequence, no leading/trailing whitespace, no rich string
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")


class RowsWorksheet(Worksheet):
    """Worksheet with ``write_rows``, a bulk writer of plain rows."""

    def _rows_fast_path(self):
        return (
            self.constant_memory
            and not self.set_rows
            and not self.comments
            and not self.col_formats
            and self.excel_version != 2010
            and self.default_row_height == self.original_row_height
        )

    def write_rows(self, first_row, rows, columns):
        """Write ``rows`` from ``first_row`` down, one cell per column.

        :param first_row: zero-based index of the first row; in
            constant_memory mode rows must come after those already written
        :param rows: iterable of sequences of cell values, one per column: a
            finite number (int or float) for a NUMBER column, a str for a
            STRING column; None leaves the cell out (an empty string is
            written, as XlsxWriter's ``write_string`` does)
        :param columns: list of (kind, cell format or None), kind NUMBER or
            STRING, for the columns from A
        :return: the index of the row after the last one given
        """
        pending = first_row == self.previous_row and any(self.table.values())
        if not self._rows_fast_path() or pending:
            return self._write_rows_generic(first_row, rows, columns)
        if first_row < self.previous_row:
            raise ValueError(f"Row {first_row} was already written.")
        if first_row > self.previous_row:
            # write the pending row (XlsxWriter keeps the last one until the next)
            self._write_single_row(first_row)
        specs = []
        for col, (kind, cell_format) in enumerate(columns):
            style = f' s="{cell_format._get_xf_index()}"' if cell_format else ""
            specs.append((kind == NUMBER, xl_col_to_name(col), style))
        write = self.fh.write
        strmax = self.xls_strmax
        row = first_row
        first_written = last_written = None
        used_cols = set()
        parts = []
        for values in rows:
            if row >= self.xls_rowmax:
                raise ValueError(f"Row {row + 1} is beyond the sheet's last row.")
            ref = row + 1
            parts.clear()
            for (is_number, letter, style), value in zip(specs, values, strict=True):
                if value is None:
                    continue
                if is_number:
                    number = f"{value:.16G}"
                    if number[-1] in "NF":  # NAN, INF: XlsxWriter refuses them
                        raise TypeError(f"Cell {letter}{ref}: {value} is not finite.")
                    parts.append(f'<c r="{letter}{ref}"{style}><v>{number}</v></c>')
                elif (
                    value.__class__ is str
                    and len(value) <= strmax
                    and not _SPECIAL.search(value)
                ):
                    parts.append(
                        f'<c r="{letter}{ref}"{style} t="inlineStr">'
                        f"<is><t>{value}</t></is></c>"
                    )
                else:
                    parts.append(self._string_cell_xml(letter, ref, style, value))
            if parts:
                if len(used_cols) < len(specs):
                    used_cols.update(
                        col for col, value in enumerate(values) if value is not None
                    )
                write(f'<row r="{ref}">{"".join(parts)}</row>')
                if first_written is None:
                    first_written = row
                last_written = row
            row += 1
        if last_written is not None:
            # the dimensions XlsxWriter's writers would have recorded
            self._check_dimensions(first_written, min(used_cols))
            self._check_dimensions(last_written, max(used_cols))
            self.previous_row = last_written
        return row

    def _string_cell_xml(self, letter, ref, style, value):
        """XML of a string cell that needs escaping, as XlsxWriter writes it
        (Worksheet._write_string, then _write_cell in constant_memory mode)."""
        if value.__class__ is not str:
            raise TypeError(f"Cell {letter}{ref}: {value!r} is not a string.")
        string = value[: self.xls_strmax]
        string = re_control_chars_1.sub(r"_x005F\1", string)
        string = re_control_chars_2.sub(
            lambda match: f"_x{ord(match.group(1)):04X}_", string
        )
        string = string.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        attr = f' r="{letter}{ref}"{style}'
        if string.startswith("<r>") and string.endswith("</r>"):
            return f'<c{attr} t="inlineStr"><is>{string}</is></c>'
        t_attr = ' xml:space="preserve"' if preserve_whitespace(string) else ""
        string = string.replace("&", "&amp;").replace("<", "&lt;")
        string = string.replace(">", "&gt;")
        return f'<c{attr} t="inlineStr"><is><t{t_attr}>{string}</t></is></c>'

    def _write_rows_generic(self, first_row, rows, columns):
        row = first_row
        for values in rows:
            for col, ((kind, cell_format), value) in enumerate(
                zip(columns, values, strict=True)
            ):
                if value is None:
                    continue
                if kind == NUMBER:
                    self._write_number(row, col, value, cell_format)
                else:
                    self._write_string(row, col, value, cell_format)
            row += 1
        return row
