"""Invoice documents: one description of the invoice (``invoice_document``) rendered as HTML (a Django template)
and as PDF (ReportLab).

ReportLab rather than WeasyPrint: it is pure Python (no Pango/Cairo system packages for ``.ci/run`` and the
Docker image to carry), and an invoice is a table, which its Platypus layout draws directly.
"""

from __future__ import annotations

import io
from decimal import Decimal
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from num2words import num2words
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from makerspace.models import Invoice

CURRENCY_WORDS = {"INR": ("rupees", "paise")}


def amount_in_words(amount: Decimal, currency: str) -> str:
    """``1770.50 INR`` → "One thousand, seven hundred and seventy rupees and fifty paise only" (Indian English:
    lakhs and crores); other currencies name the code."""
    amount = Decimal(amount)
    sign = "minus " if amount < 0 else ""
    amount = abs(amount)
    whole = int(amount)
    fraction = int((amount - whole) * 100)
    major, minor = CURRENCY_WORDS.get(currency, (currency, "cents"))
    lang = "en_IN" if currency == "INR" else "en"
    words = f"{num2words(whole, lang=lang)} {major}"
    if fraction:
        words += f" and {num2words(fraction, lang=lang)} {minor}"
    words = f"{sign}{words} only"
    return words[0].upper() + words[1:]


def invoice_document(invoice: Invoice) -> dict:
    """Everything an invoice document shows, as text: parties, lines with their tax, totals, amount in words."""
    space = invoice.makerspace
    member = invoice.member
    user = member.user
    inter = invoice.supply == Invoice.Supply.INTER
    headings = ["Description", "Qty", "Unit price", "Amount", "Rate %"]
    headings += ["IGST"] if inter else ["CGST", "SGST"]
    headings.append("Line total")
    rows = []
    lines = list(invoice.lines.all())  # once: the rows and the tax totals read the same lines
    for line in lines:
        tax = [f"{line.igst:.2f}"] if inter else [f"{line.cgst:.2f}", f"{line.sgst:.2f}"]
        rows.append(
            [
                line.description,
                f"{line.quantity.normalize():f}",
                f"{line.unit_price:.2f}",
                f"{line.amount:.2f}",
                f"{line.tax_rate.normalize():f}",
                *tax,
                f"{line.line_total:.2f}",
            ]
        )
    totals = [("Subtotal", f"{invoice.subtotal:.2f}")]
    if inter:
        totals.append(("IGST", f"{sum((line.igst for line in lines), Decimal('0')):.2f}"))
    else:
        totals.append(("CGST", f"{sum((line.cgst for line in lines), Decimal('0')):.2f}"))
        totals.append(("SGST", f"{sum((line.sgst for line in lines), Decimal('0')):.2f}"))
    totals.append((f"Total ({invoice.currency})", f"{invoice.total:.2f}"))
    if invoice.amount_paid:
        totals.append(("Paid", f"{invoice.amount_paid - invoice.amount_refunded:.2f}"))
    if invoice.amount_credited:
        totals.append(("Credited", f"{invoice.amount_credited:.2f}"))
    totals.append(("Amount due", f"{max(invoice.amount_due, Decimal('0')):.2f}"))
    tz = space.tzinfo
    return {
        "title": "Tax invoice" if invoice.number else "Draft invoice",
        "number": invoice.number or f"(draft #{invoice.pk})",
        "status": invoice.get_status_display(),
        "issued_on": invoice.issued_at.astimezone(tz).date().isoformat() if invoice.issued_at else "",
        "due_on": invoice.due_on.isoformat() if invoice.due_on else "",
        "period": f"{invoice.period_from} – {invoice.period_to}" if invoice.period_from else "",
        "supplier": {
            "name": space.name,
            "address": space.address,
            "gstin": space.gstin,
            "state_code": space.state_code,
            "email": space.contact_email,
        },
        "customer": {
            "name": member.billing_name or user.get_full_name() or user.username,
            "address": member.billing_address,
            "gstin": member.billing_gstin,
        },
        "place_of_supply": invoice.place_of_supply,
        "headings": headings,
        "rows": rows,
        "totals": totals,
        "amount_in_words": amount_in_words(invoice.total, invoice.currency),
        "credit_notes": [f"{note.number}: {note.total:.2f} {note.currency}" for note in invoice.credit_notes.all()],
    }


def invoice_html(invoice: Invoice) -> str:
    return render_to_string("makerspace/invoice.html", {"doc": invoice_document(invoice)})


def _paragraph(text: str, style) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as an A4 PDF (text, not images: it can be searched and read back)."""
    doc = invoice_document(invoice)
    styles = getSampleStyleSheet()
    small = styles["BodyText"]
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{doc['title']} {doc['number']}",
        author=doc["supplier"]["name"],
    )
    supplier = doc["supplier"]
    customer = doc["customer"]
    from_text = "\n".join(
        part
        for part in (
            supplier["name"],
            supplier["address"],
            f"GSTIN {supplier['gstin']}" if supplier["gstin"] else "",
            f"State code {supplier['state_code']}" if supplier["state_code"] else "",
            supplier["email"],
        )
        if part
    )
    to_text = "\n".join(
        part
        for part in (
            customer["name"],
            customer["address"],
            f"GSTIN {customer['gstin']}" if customer["gstin"] else "",
            f"Place of supply {doc['place_of_supply']}" if doc["place_of_supply"] else "",
        )
        if part
    )
    dates = " · ".join(
        part
        for part in (
            f"Status {doc['status']}",
            f"Issued {doc['issued_on']}" if doc["issued_on"] else "",
            f"Due {doc['due_on']}" if doc["due_on"] else "",
            f"Period {doc['period']}" if doc["period"] else "",
        )
        if part
    )
    parties = Table(
        [
            [_paragraph("From", styles["Heading4"]), _paragraph("Bill to", styles["Heading4"])],
            [_paragraph(from_text, small), _paragraph(to_text, small)],
        ],
        colWidths=[90 * mm, 90 * mm],
    )
    line_rows = [
        [_paragraph(cell, small) if index == 0 else cell for index, cell in enumerate(row)] for row in doc["rows"]
    ]
    widths = [62 * mm] + [(180 * mm - 62 * mm) / (len(doc["headings"]) - 1)] * (len(doc["headings"]) - 1)
    lines = Table([doc["headings"], *line_rows], colWidths=widths, repeatRows=1)
    lines.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    totals = Table([list(pair) for pair in doc["totals"]], colWidths=[140 * mm, 40 * mm])
    totals.setStyle(
        TableStyle([("ALIGN", (0, 0), (-1, -1), "RIGHT"), ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold")])
    )
    story = [
        _paragraph(f"{doc['title']} {doc['number']}", styles["Title"]),
        _paragraph(dates, small),
        Spacer(1, 4 * mm),
        parties,
        Spacer(1, 6 * mm),
        lines,
        Spacer(1, 4 * mm),
        totals,
        Spacer(1, 4 * mm),
        _paragraph(f"Amount in words: {doc['amount_in_words']}", small),
        *[_paragraph(f"Credit note {note}", small) for note in doc["credit_notes"]],
    ]
    pdf.build(story)
    return buffer.getvalue()
