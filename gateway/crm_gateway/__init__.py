"""The CRM's only HTTP face: aiohttp, speaking nameko's AMQP RPC natively."""
