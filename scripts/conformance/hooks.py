"""Schemathesis hooks for scripts/conformance.sh (loaded through SCHEMATHESIS_HOOKS).

`refusals_name_only_rules_beyond_the_schema`: schemathesis.toml lets a schema-valid request be
answered 400, 412 or 422, because some rules relate fields to each other, to stored data or to
today, which no JSON Schema can state. This check keeps that from hiding anything else: such an
answer must be problem+json whose every `errors[]` reason is one of the rules listed here.
Anything else (a blank string, a length, a format) is a limit the document should have stated,
and fails the run.
"""

import io
import json
import re
import zipfile

import schemathesis
from hypothesis import strategies as st

# Rules that depend on more than the one field's value, each as the service words its reason.
RULES = [
    # Against today, in the organ's time zone.
    r"is in the future",
    r"^must not be in the future$",
    # One date against another of the same request or of the stored record.
    r"is before ",
    r"is after ",
    r"before the act was made",
    r"cannot learn of the act before it was made",
    r"cannot apply before learning of the act",
    r"cannot apply before learning of the right to apply",
    r"^the application cannot be made \(\d{4}-\d{2}-\d{2}\) after it was received \(\d{4}-\d{2}-\d{2}\)$",
    r"^only a posted or forwarded application was made before the day it was received$",
    r"^the right to apply is learned of at or after the act itself$",
    r"^before the document was issued \(\d{4}-\d{2}-\d{2}\)$",
    r"must agree",
    # Against stored data within the caller's reach.
    r"is known to this organ",
    r"is not an active officer",
    r"no such ",
    r"not found",
    r"is taken",
    r"within your administration",
    r"within (your )?reach",
    r"is already recorded as",
    # An id the body names that is not one of this case's documents or attachments.
    r"^no (document|attachment) [0-9a-f-]{36} of this case$",
    # One field against another of the same body: who was served against their position.
    r"the respondent is not one of the parties",
    r"name the party served by their position",
    r"the party at position \d+ ",
    # A document's kind against the fields that kind needs.
    r"^an opinion or recommendation letter needs its text$",
    r"^a proof of service names the document served$",
    r"^a correction says what it corrects$",
    r"the case has no party at position",
    # One field against another of the same body, or one list item against the others.
    r"\(or give recipient_id\)",
    r"does not say whether the agency won",
    r"means the agency's outcome is",
    r"reviews a judgment below; a first instance has none",
    r"electronic service needs the recipient's consent",
    r"only an order to comply sets a new time limit",
    r"at least one applicant is required",
    r"name the applicant this party acts for",
    r"only agents and representatives act for an applicant",
    r"party \d+ is not an applicant",
    r"an applicant may appoint at most two agents",
    r"a competent organ is named only when declining",
    r"name the organ that has jurisdiction",
    r"a remake is ordered only with a revocation",
    r"a remake or perform order needs a time limit",
    r"a time limit goes only with a remake or perform order",
    r"only a revocation can be partial",
    r"only with a remake order or an order to perform",
    r"give the date the copy was sent, the date the reply was received, or both",
    r"cannot come before the copy was sent",
    r"give the day the hearing was held",
    r"give the day the parties were notified of the hearing",
    r"only a hearing \(听证\) is notified",
    r"must precede the hearing",
    r"art\. 53 ground",
    # Against the state of the record or of the caller.
    r"a remade act has a document number",
    r"extensions add up to at most",
    r"only ordinary procedure can be extended",
    r"the letter's receipt is not on record",
    r"measures against non-compliance come after it",
    r"no hearing follows its judgment",
    r"days cannot fit between acceptance",
    r"not possible for a case that is",
    r"you cannot deactivate your own account",
    r"is not an active officer|not an active officer of this case's organ",
    # The IANA time-zone database, too long a list to enumerate in the document.
    r"is not an IANA time zone",
    # An `Idempotency-Key` the fuzzer already sent with another body (state, like a version).
    r"this key was already used with a different request body",
    # Any text holding U+0000, which PostgreSQL text cannot store; the document's description
    # states it once for every string rather than as a pattern on each.
    r"must not contain the NUL character",
    # Between parameters of one query.
    r"a request covers at most \d+ months",
    r"must not be before `",
    r"must not be after `",
]
RULE = re.compile("|".join(RULES))

STALE_VERSION = "urn:fuyi:problem:stale-version"

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx(text):
    """A minimal Word document holding `text`: what an edited final version is."""
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w") as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>",
        )
        package.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return body.getvalue()


# The body of an uploaded document version is a .docx; schemathesis cannot make one up.
schemathesis.openapi.media_type(DOCX, st.sampled_from([docx("行政复议决定书"), docx("更正")]))

# An attachment may carry any bytes on the wire, but the service tells its type from the content
# and keeps only the allowed ones (PDF, images, Office, OFD, MP4), which no JSON Schema states:
# the generator sends small files of allowed types, with random content after the signature.
ATTACHMENT_SIGNATURES = [b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0"]
schemathesis.openapi.media_type(
    "application/octet-stream",
    st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(ATTACHMENT_SIGNATURES),
        st.binary(min_size=1, max_size=256),
    ),
)


@schemathesis.check
def refusals_name_only_rules_beyond_the_schema(ctx, response, case):
    """A schema-valid request refused 400/412/422 must name a rule no schema can state."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code not in (400, 412, 422):
        return None
    try:
        problem = json.loads(response.text)
    except ValueError:
        raise AssertionError(f"{response.status_code} without a problem+json body") from None
    if response.status_code == 412:
        if problem.get("type") != STALE_VERSION:
            raise AssertionError(f"412 that is not a stale version: {problem}")
        return None
    reasons = [error.get("reason", "") for error in problem.get("errors") or []]
    if not reasons:
        reasons = [problem.get("detail", "")]
    unstated = [reason for reason in reasons if not RULE.search(reason)]
    if unstated:
        raise AssertionError(
            "a schema-valid request was refused for a limit the document does not state: "
            + "; ".join(unstated)
        )
    return None
