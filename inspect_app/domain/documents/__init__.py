"""The official documents of a case and its dossier, in plain Python (no Flask request, no commit).

- formats.py     how official Vietnamese documents write dates, money and the place (Nghị định 30/2020)
- forms.py       THE list of documents the app writes: per kind its title, the state form it follows,
                 who signs, the placeholders it must carry and the facts it needs
- content.py     a step's document filled from the case and the event (what is missing listed, never
                 silently blank), a blank form, the sample case that checks an uploaded template
- word.py        the .docx templates: the shipped defaults, the office's uploads (checked: renders with
                 the sample case, no unknown placeholder, no macros) and rendering (docxtpl, sandboxed)
- dossier.py     the case file: cover, history, photos with their hashes, the ZIP with its manifest
- issued.py      the log of every document and dossier handed out (template version, SHA-256, who)
"""
