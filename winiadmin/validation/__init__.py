"""What ``Model.full_clean()`` would refuse, found over a polars frame before anything is written.

:func:`~winiadmin.validation.frame.frame_problems` checks a frame of one model's field values
(the frame path's ``ModelFrame``); :class:`~winiadmin.validation.objects.ObjectRules` builds
such a frame from a chunk of unsaved objects (the object path). Both give problems naming the
file row, the column and the value, with Django's own messages.
"""
