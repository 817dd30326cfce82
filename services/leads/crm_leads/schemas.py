"""What leads accepts over RPC and what it returns: marshmallow in, JSON primitives out."""
from marshmallow import EXCLUDE, Schema, fields, validate

SOURCE = validate.Regexp(r"^[a-z0-9][a-z0-9_.-]{0,62}$", error="lower-case letters, digits, '_', '.', '-'")


class WebFormSchema(Schema):
    """A request left on one of the company's web sites."""

    class Meta:
        unknown = EXCLUDE

    site = fields.String(required=True, validate=SOURCE)
    submission_id = fields.String(validate=validate.Length(min=1, max=200), load_default=None)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(validate=validate.Length(max=40), load_default=None)
    email = fields.Email(load_default=None)
    message = fields.String(validate=validate.Length(max=5000), load_default="")
    request_type = fields.String(validate=validate.Length(max=100), load_default=None)


class LeadListSchema(Schema):
    source = fields.String(load_default=None)
    limit = fields.Integer(validate=validate.Range(min=1, max=500), load_default=50)
    offset = fields.Integer(validate=validate.Range(min=0), load_default=0)


class ContactSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class LeadSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    message = fields.String()
    source = fields.String()
    stage = fields.String()
    created_at = fields.AwareDateTime()
    contact = fields.Nested(ContactSchema)
