# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading and matching a contact list (CSV or XLSX) for the segment import.

No ORM here: the wizard gives the existing contacts as plain lookups, this
module says, row by row, whether to match, create or reject and why.
"""

import csv
import io
import re
import unicodedata

# Column headers understood, by canonical key (compared lower-case, with
# spaces, dashes and dots as underscores).
HEADER_ALIASES = {
    "first_name": ("first_name", "firstname", "first", "given_name"),
    "last_name": ("last_name", "lastname", "last", "surname", "family_name"),
    "name": ("name", "full_name", "contact", "contact_name"),
    "company": ("company", "company_name", "organisation", "organization"),
    "email": ("email", "e_mail", "email_address", "mail"),
    "phone": ("phone", "phone1", "telephone", "tel"),
    "mobile": ("mobile", "phone2", "cell", "mobile_phone"),
    "street": ("street", "address", "address1", "street_address"),
    "city": ("city", "town"),
    "county": ("county", "region", "state", "province"),
    "zip": ("zip", "postal", "postcode", "post_code", "postal_code"),
    "website": ("website", "web", "url", "site"),
}
EMAIL_RE = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[a-z]{2,}$", re.IGNORECASE)
# Phones are compared on their last nine digits, as the SQL function
# mrm_phone_key does (so "+44 113", "0044 113" and "0113" agree).
PHONE_KEY_DIGITS = 9
MIN_PHONE_DIGITS = 6


class ImportFileError(ValueError):
    """The file cannot be read as a contact list."""


def _header_key(header):
    key = re.sub(r"[\s\-.]+", "_", (header or "").strip().lower())
    for canonical, aliases in HEADER_ALIASES.items():
        if key in aliases:
            return canonical
    return None


def read_rows(data, filename):
    """Read a CSV or XLSX file into dicts keyed by canonical column names.

    :param data: the file's bytes
    :param filename: its name (the extension decides the format)
    :return: list of (row_number, dict) with the spreadsheet's row numbers
    :raise ImportFileError: unreadable file, unknown format, no usable column
    """
    name = (filename or "").lower()
    if not data:
        raise ImportFileError("the file is empty")
    if name.endswith(".xlsx"):
        table = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        table = _read_csv(data)
    else:
        raise ImportFileError("only .csv and .xlsx files can be imported")
    if not table:
        raise ImportFileError("the file has no header row")
    header = [_header_key(str(cell) if cell is not None else "") for cell in table[0]]
    if not ({"email", "phone", "mobile"} & set(header)) or not (
        {"name", "last_name", "company"} & set(header)
    ):
        raise ImportFileError(
            "the file needs a name (or last name, or company) column and an "
            "e-mail or phone column"
        )
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell not in (None, "") for cell in cells):
            continue
        row = {}
        for key, cell in zip(header, cells, strict=False):
            if key and cell not in (None, ""):
                row[key] = str(cell).strip()
        rows.append((number, row))
    return rows


def _read_csv(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise ImportFileError("the file is not text") from error
    if "\x00" in text:
        raise ImportFileError("the file is not a CSV text file")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [row for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as error:
        raise ImportFileError(f"the CSV file is malformed: {error}") from error


def _read_xlsx(data):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True
        )
    except Exception as error:  # openpyxl raises many kinds on a bad file
        raise ImportFileError(f"the XLSX file cannot be opened: {error}") from error
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# ---- normalisation ---------------------------------------------------------
def normalize_email(value):
    value = (value or "").strip().lower()
    return value or None


def phone_key(value):
    digits = re.sub(r"\D", "", value or "")
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    return digits[-PHONE_KEY_DIGITS:]


def name_key(value):
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w\s]", " ", value).split())


# ---- row processing ----------------------------------------------------------
# English wording of each outcome; the wizard shows a translated one by code.
REASONS = {
    "no_name": "no name and no company",
    "invalid_email": "invalid e-mail address %(value)r",
    "invalid_phone": "invalid phone number %(value)r",
    "invalid_mobile": "invalid mobile number %(value)r",
    "no_contact": "no e-mail and no phone",
    "duplicate": "duplicate of row %(row)s in the file",
    "matched_email": "matched by e-mail",
    "matched_phone": "matched by phone",
    "matched_name": "matched by name and company",
    "created": "",
}


def _item(number, status, code, args=None):
    args = args or {}
    return {
        "row": number,
        "status": status,
        "code": code,
        "args": args,
        "reason": REASONS[code] % args,
    }


def prepare_row(row):
    """Validate one row and compute its matching keys.

    :return: (prepared dict, None) or (None, (reason code, arguments))
    """
    name = row.get("name") or " ".join(
        part for part in (row.get("first_name"), row.get("last_name")) if part
    )
    company = row.get("company") or ""
    if not name and not company:
        return None, ("no_name", {})
    email = normalize_email(row.get("email"))
    if email and not EMAIL_RE.match(email):
        return None, ("invalid_email", {"value": row.get("email")})
    phone, mobile = row.get("phone") or "", row.get("mobile") or ""
    for label, value in (("phone", phone), ("mobile", mobile)):
        if value and not phone_key(value):
            return None, (f"invalid_{label}", {"value": value})
    if not email and not phone and not mobile:
        return None, ("no_contact", {})
    prepared = dict(row)
    prepared.update(
        {
            "name": name or company,
            "company": company,
            "email": email,
            "phone": phone,
            "mobile": mobile,
            "email_key": email,
            "phone_keys": [k for k in (phone_key(phone), phone_key(mobile)) if k],
            "name_key": (name_key(name or company), name_key(company)),
        }
    )
    return prepared, None


def plan_import(rows, by_email, by_phone, by_name_company):
    """Decide for each row: match an existing contact, create one, or reject.

    Matching order: e-mail, then phone, then name + company. A row repeating
    an earlier row of the file (same e-mail or phone) is rejected as a
    duplicate.

    :param rows: list of (row_number, dict) from read_rows
    :param by_email: {normalised e-mail: partner id}
    :param by_phone: {phone key: partner id}
    :param by_name_company: {(name key, company key): partner id}
    :return: list of dicts with row, status (matched/created/rejected),
        code and args of the reason, reason (English), partner_id (matched)
        and values (created)
    """
    plan = []
    seen = {}
    for number, row in rows:
        prepared, reason = prepare_row(row)
        if reason:
            plan.append(_item(number, "rejected", *reason))
            continue
        keys = [("email", prepared["email_key"])] if prepared["email_key"] else []
        keys += [("phone", key) for key in prepared["phone_keys"]]
        duplicate = next((seen[k] for k in keys if k in seen), None)
        if duplicate:
            plan.append(_item(number, "rejected", "duplicate", {"row": duplicate}))
            continue
        for key in keys:
            seen[key] = number
        partner_id, how = None, None
        if prepared["email_key"] and prepared["email_key"] in by_email:
            partner_id, how = by_email[prepared["email_key"]], "matched_email"
        if not partner_id:
            for key in prepared["phone_keys"]:
                if key in by_phone:
                    partner_id, how = by_phone[key], "matched_phone"
                    break
        if not partner_id and prepared["name_key"] in by_name_company:
            partner_id = by_name_company[prepared["name_key"]]
            how = "matched_name"
        if partner_id:
            plan.append(dict(_item(number, "matched", how), partner_id=partner_id))
        else:
            plan.append(dict(_item(number, "created", "created"), values=prepared))
    return plan
