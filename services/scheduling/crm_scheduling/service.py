from crm_chassis.service import ServiceBase, rpc
from crm_chassis.validation import load
from crm_scheduling import bookings
from crm_scheduling.schemas import BookingInput, CrewInput


class SchedulingService(ServiceBase):
    name = "scheduling"

    @rpc
    def create_crew(self, **spec) -> dict:
        return self.db.transaction(bookings.create_crew, load(CrewInput(), spec))

    @rpc
    def list_crews(self) -> list[dict]:
        return self.db.read(bookings.list_crews)

    @rpc
    def book(self, **spec) -> dict:
        return self.db.transaction(bookings.book, load(BookingInput(), spec))

    @rpc
    def list_bookings(self, crew_id: int | None = None) -> list[dict]:
        return self.db.read(bookings.list_bookings, crew_id)
