"""Webhooks: a run's summary POSTed, signed, to a URL when the run ends (contract section 13).

``service`` checks URLs, records a delivery with the run and answers the API;
``sender`` is the loop in API processes that sends due deliveries from the table;
``signing`` makes and checks the ``FusionFlow-Signature`` header.
"""
