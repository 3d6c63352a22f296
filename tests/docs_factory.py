"""Small real documents built in the tests: PDF (hand-written, one text object per page), DOCX, HTML."""

from __future__ import annotations

import io


def pdf(pages: list[str]) -> bytes:
    """A minimal valid PDF whose pages hold the given lines of text (Helvetica, WinAnsi)."""
    objects: list[bytes] = []
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, text in enumerate(pages):
        lines = [ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for ln in text.split("\n")]
        body = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(f"({ln}) Tj T*" for ln in lines) + " ET"
        stream = body.encode("cp1252")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {5 + 2 * i} 0 R "
                       f"/Resources << /Font << /F1 3 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def docx(paragraphs: list[str]) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def html(article: list[str], title: str = "Titre") -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in article)
    return (f"<html><head><title>{title}</title></head><body>"
            "<nav><a href='/'>Accueil</a> | <a href='/contact'>Contact</a> | <a href='/login'>Connexion</a></nav>"
            f"<article><h1>{title}</h1>{paras}</article>"
            "<footer>© 2025 Le Journal — Mentions légales — Partager sur Facebook</footer></body></html>").encode()


# Documents whose lines read like a web page's footer ("Voir aussi", "Read more", "Copyright ©") in the
# middle of their facts: the ingest must keep every fact, whatever the wording.
REPORT_MD = """# Rapport annuel 2024 de la société Ardoise

La société Ardoise conçoit des capteurs de pression pour l'industrie chimique.

## Voir aussi

Le chiffre d'affaires de la société Ardoise pour l'exercice 2024 s'élève à 18,4 millions d'euros.

La société Ardoise compte 212 salariés au 31 décembre 2024.

Read more

Share this

Copyright © Ardoise SA

Tous droits réservés : la société Ardoise ouvrira une usine à Lyon en 2026.
"""

NOTE_DOCX = ["Kestrel Turbines: 2024 in brief", "Kestrel Turbines builds wind turbines in Ohio.", "Read more",
             "The Kestrel plant in Toledo assembled 41,300 turbine blades in 2024.", "Share this",
             "Kestrel's chief executive since 2021 is Maria Olsen."]

FOOTER = "Copyright © 2025 Bleuet SA. Tous droits réservés."


def footer_pdf() -> bytes:
    """Three pages with the same running header, copyright footer and a page number."""
    def page(n: int, body: list[str]) -> str:
        return "\n".join(["Bleuet SA - Rapport annuel 2024", *body, FOOTER, f"Page {n} / 3"])
    return pdf([
        page(1, ["Bleuet fabrique des vélos cargo.", "Le siège de Bleuet est à Nantes.", "Bleuet emploie 48 personnes.",
                 "Ses clients sont des livreurs."]),
        page(2, ["L'usine Bleuet de Saint-Herblain a produit 5 300 vélos cargo en 2024.", "La marge est de 9 %.",
                 "Les ventes ont crû de 12 %.", "Le carnet de commandes est plein."]),
        page(3, ["Bleuet ouvrira un atelier à Angers en 2026.", "Il coûtera 7 millions d'euros.",
                 "Le chiffre est 14.", "La dette est nulle."]),
    ])
