from marshmallow import Schema, fields


class LeadsPerDayQuery(Schema):
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    source = fields.String(load_default=None)
