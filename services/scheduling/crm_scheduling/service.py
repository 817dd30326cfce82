from datetime import UTC, datetime

from nameko.timer import timer

from crm_chassis.erasure import Erasure
from crm_chassis.handlers import on_event
from crm_chassis.service import ServiceBase, rpc
from crm_chassis.validation import load
from crm_scheduling import bookings, crews, erasure
from crm_scheduling.readings import BookingRequestReading, ContactErasedReading
from crm_scheduling.schemas import (AbsenceInput, AvailabilityQuery, BookingEditInput, BookingInput, BookingListQuery,
                                    CalendarQuery, CancelInput, CompleteInput, ConfirmHoldInput, CrewChanges, CrewInput,
                                    HoldInput, RescheduleInput, RescheduleRequestInput, StaffInput)

ABSENCE_CHECK_SECONDS = 60


class SchedulingService(ServiceBase):
    name = "scheduling"

    # -- people and crews ---------------------------------------------------------------

    @rpc
    def create_staff(self, **spec) -> dict:
        return self.db.transaction(crews.create_staff, load(StaffInput(), spec))

    @rpc
    def list_staff(self) -> list[dict]:
        return self.db.read(crews.list_staff)

    @rpc
    def create_crew(self, **spec) -> dict:
        return self.db.transaction(crews.create_crew, load(CrewInput(), spec))

    @rpc
    def update_crew(self, **changes) -> dict:
        return self.db.transaction(crews.update_crew, load(CrewChanges(), changes))

    @rpc
    def list_crews(self, viewer_user_id: int | None = None) -> list[dict]:
        return self.db.read(crews.list_crews, viewer_user_id)

    @rpc
    def regenerate_ics_token(self, crew_id: int) -> dict:
        return self.db.transaction(crews.regenerate_ics_token, crew_id)

    @rpc
    def create_absence(self, **spec) -> dict:
        return self.db.transaction(crews.create_absence, load(AbsenceInput(), spec), crews.company_today())

    @rpc
    def list_absences(self, staff_id: int | None = None) -> list[dict]:
        return self.db.read(crews.list_absences, staff_id, crews.company_today())

    @timer(interval=ABSENCE_CHECK_SECONDS)
    def emit_due_absences(self) -> int:
        return self.db.transaction(crews.emit_due_absences, crews.company_today())

    # -- holds and bookings -------------------------------------------------------------

    @rpc
    def hold(self, **spec) -> dict:
        return self.db.transaction(bookings.hold, load(HoldInput(), spec))

    @rpc
    def confirm_hold(self, **spec) -> dict:
        return self.db.transaction(bookings.confirm_hold, load(ConfirmHoldInput(), spec))

    @rpc
    def release_hold(self, hold_id: int) -> dict:
        return self.db.transaction(bookings.release_hold, hold_id)

    @rpc
    def book(self, **spec) -> dict:
        return self.db.transaction(bookings.book, load(BookingInput(), spec))

    @rpc
    def reschedule(self, viewer_user_id: int | None = None, **spec) -> dict:
        return self.db.transaction(bookings.reschedule, load(RescheduleInput(), spec), viewer_user_id)

    @rpc
    def request_reschedule(self, viewer_user_id: int, **spec) -> dict:
        return self.db.transaction(bookings.request_reschedule, load(RescheduleRequestInput(), spec), viewer_user_id,
                                   crews.company_today())

    @rpc
    def edit_booking(self, **spec) -> dict:
        return self.db.transaction(bookings.edit_client_details, load(BookingEditInput(), spec))

    @rpc
    def cancel(self, **spec) -> dict:
        return self.db.transaction(bookings.cancel, load(CancelInput(), spec))

    @rpc
    def complete(self, viewer_user_id: int | None = None, **spec) -> dict:
        return self.db.transaction(bookings.complete, load(CompleteInput(), spec), viewer_user_id)

    @rpc
    def list_bookings(self, **query) -> list[dict]:
        return self.db.read(bookings.list_bookings, **load(BookingListQuery(), query))

    @on_event("deals", "deal.booking_requested.v1", BookingRequestReading)
    def book_for_deal(self, tx, request, envelope):
        bookings.book_first_free(tx, request, datetime.now(UTC))

    @on_event("leads", "contact.erased.v1", ContactErasedReading)
    def erase_contact(self, tx, erased, envelope):
        erasure.erase_contact(tx, Erasure.read(erased))

    @rpc
    def find_slots(self, **query) -> list[dict]:
        return self.db.read(bookings.find_slots, load(AvailabilityQuery(), query), datetime.now(UTC))

    @rpc
    def calendar(self, **query) -> dict:
        return self.db.read(bookings.calendar, load(CalendarQuery(), query))

    @rpc
    def ics_feed(self, token: str) -> str:
        return self.db.read(bookings.ics_feed, token, datetime.now(UTC))
