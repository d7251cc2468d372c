"""The register's export to XML (§ 21 ust. 4a of the regulation) and to JSON.

One builder reads a school year of one class, or of a whole school, into plain
ordered data (dicts and lists of strings, numbers, booleans, dates); two
serialisers write that data as XML (format `register-1.1.xsd`, namespace
`NAMESPACE`; `register-1.0.xsd` stays for files made before) or as JSON with
the same keys. Documented in docs/register-xml.md.

The builder reads a fixed number of queries per class, whatever the number of
pupils, lessons or grades (about 14, and 5 for the header and staff), and
hands the classes out one at a time, so a whole school's export holds one class
in memory, not the school. The XML is written to a temporary file, validated
against the XSD while it is read back (streaming, element by element), and only
then handed out: an invalid document is a bug and raises `InvalidRegisterExport`.
"""

from .builder import (  # noqa: F401
    ATTENDANCE_STATUS,
    CONTENT_TYPES,
    FORMAT_VERSION,
    FORMATS,
    NAMESPACE,
    SCHEMA_PATH,
    InvalidRegisterExport,
    RegisterBuilder,
)
from .writers import (  # noqa: F401
    export_filename,
    register_export_write,
    register_schema,
    validate_xml,
    write_json,
    write_xml,
)
