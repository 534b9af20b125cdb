"""Street submissions: the form a 街道 fills, and the import of the returned forms.

The round trip:

1. ``street-form`` writes, for one 街道, a workbook pre-filled with its people
   from the rosters. A very hidden sheet (原始数据) keeps every pre-filled value
   as canonical text, with a SHA-256 over them.
2. The 街道 edits, adds and deletes rows and sends the file back.
3. ``import-streets`` reads any number of returned forms and merges them into the
   rosters field by field. For each cell, three values are compared: what the
   form was pre-filled with (the baseline), what the 街道 returned, and what the
   roster holds now:

   - returned = baseline: the 街道 did not touch it; the roster keeps its value
     (whatever the staff have done to it since);
   - returned != baseline and roster = baseline: only the 街道 changed it; merged;
   - returned != baseline and roster != baseline: both changed it; the staff's
     value stays, and the conflict is listed for review.

   Without a baseline (a form made by hand, or one whose hidden sheet was altered)
   nobody can tell who changed what: only blank roster cells are filled, and
   every other difference is listed, not merged. New people are appended; people
   missing from a form are listed, never deleted (a stop needs 停发年月 and
   停发原因, which only the staff can decide).
"""
