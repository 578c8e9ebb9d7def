// Native half of hwrandom.js: esp_fill_random (the ESP32's true RNG while WiFi or Bluetooth is on).
#include "xsmc.h"
#include "esp_random.h"

void xs_hwrandom_fill(xsMachine *the)
{
	void *data = xsmcToArrayBuffer(xsArg(0));
	esp_fill_random(data, xsmcGetArrayBufferLength(xsArg(0)));
}
