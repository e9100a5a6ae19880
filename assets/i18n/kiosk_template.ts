<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>ChoicePage</name>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ContainerScreen</name>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relabel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Container {container}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot {lot} · {number}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{supplier} · {origin}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{grade} {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{mass:g} {unit} · label {label}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At {location}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OPEN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reseal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last events:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (voided)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open in total {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reprint the label</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CorrectionsScreen</name>
    <message>
        <source>Correct a mistake: which event?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record correction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · voided</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{kind} at {time} by {operator}
{summary}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrong container scanned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrong readings entered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrong mass entered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recorded twice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Did not happen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other: type it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason for the correction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why is it wrong?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the reason first.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EntryPage</name>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Space</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExposureScreen</name>
    <message>
        <source>Open container {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reseal container {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temperature °C</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Humidity % RH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Place</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirm open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirm reseal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tap to enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Humidity control: {state}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Readings from the sensor. Tap a value to change it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Readings as last entered at this station. Check them, tap a value to change it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Readings as recorded for this container last. Check them, tap a value to change it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Readings as entered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the readings: tap each value.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ambient temperature in °C</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>-40 to 80</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relative humidity in %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0 to 100</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>storage location or workstation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the values marked in red first.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HomeScreen</name>
    <message>
        <source>Scan a container</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hold the label under the camera or scan it with the handheld scanner. Or choose:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register incoming lot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transformation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot timeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Correct a mistake</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type a label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label or id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>as printed under the code</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LabelsScreen</name>
    <message>
        <source>Print labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Print %n label(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Queued for printing: {labels}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print again</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoginScreen</name>
    <message>
        <source>Scan your badge, or tap your name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No operators are set up at this station. Import the reference data: lineage import-reference FILE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIN for {name}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Powder Lineage station {station}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>finish or cancel this step first; the scan does not fit here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supplier label read: register the lot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Container {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot {lot}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New lot number {number}: register the lot</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RegisterLotScreen</name>
    <message>
        <source>Register incoming lot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan the supplier&apos;s label to fill in what it carries, then complete the rest.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supplier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supplier lot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packaging</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Origin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Containers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Net mass each</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Produced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GTIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register lot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supplier label read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supplier lot number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other: type it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Material origin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number of containers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 to {maximum:g}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Net mass of each container in {unit}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mass unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>YYYY-MM-DD; leave empty if not printed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Production date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use-by date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill in the fields marked in red first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot {lot} registered: print the container labels</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RelabelScreen</name>
    <message>
        <source>Relabel container {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan the old label if it is not the one shown. The new label is printed after recording.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Old label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record and print</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label unreadable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Container repacked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrong label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other: type it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{label} was never on container {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Old label {label}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason for the new label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why a new label?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the reason first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New label {label} recorded: print it</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SampleScreen</name>
    <message>
        <source>Sample of lot {lot}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sample {sample} from {containers}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the lot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sample location</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Increments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compositing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sampling method and version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>where in the container or line the sample was drawn</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number of increments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compositing rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill in the fields marked in red first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sample {sample} recorded: print its label</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>Not logged in</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TimelineScreen</name>
    <message>
        <source>Lot timeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type an id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan a label, or type a lot, container or sample id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timeline of {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot, container or sample id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot {lot}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot number {number} · supplier {supplier}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grade {grade} v{version} · origin {origin}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mass {mass:g} kg · recycled share {share:.1f} % · release: {status}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>undecided</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open in total {open} · above the humidity limit {above} · open now: {open_now}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Containers: {containers}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (voided)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sample {sample}{voided}: {method} v{version}, {results} result(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>↑ {lot} {share:.0f} %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>↓ {lot}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events, oldest first:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VOIDED </source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TransformationScreen</name>
    <message>
        <source>Transformation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan each input container; enter the mass taken from it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type a label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New container</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type an existing label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New lot grade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packaging</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add new containers of the new lot, or scan existing containers the output goes into.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Screen mesh µm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temperature °C</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recycled %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters that matter; leave empty what was not set.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transformation: which step?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{step}: which machine or line?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{step}: input containers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{step}: outputs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{step}: parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{step}: check and confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the machine or line.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan at least one input container.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the mass of every input.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add at least one output container.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the mass of every output.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the new lot&apos;s grade.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the new lot&apos;s internal code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the new lot&apos;s packaging.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Container label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Container {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mass taken from {container} in {unit}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (new)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{container}{new} · lot {lot}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mass?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave empty and OK to remove this line.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mass unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mass put into new container {container} in {unit}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mass put into {container} in {unit}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New lot internal code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recycled share computed from the inputs&apos; history: {share:.1f} %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{minimum:g} to {maximum:g}; empty if not set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{step} on {equipment}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Blend of the inputs:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In {input:g} kg, out {output:g} kg, difference {difference:+g} kg</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>More comes out than went in: check the masses.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outputs: {outputs}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New lot {lot}, grade {grade}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mesh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>recycled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters: {parameters}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print the labels of the new containers</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>texts</name>
    <message>
        <source>Lot registered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relabelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transformation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sample taken</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result recorded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release decision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Correction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Milling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sieving</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Blending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Separation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recycling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Virgin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recycled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Made here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>steel drum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>plastic drum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bottle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>canister</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IBC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Released</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On hold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conditional release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Camera live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Camera starting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Camera reconnecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No camera</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Camera stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{state}: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connection refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>server name unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>timed out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connection failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>response cut off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>invalid server URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>server error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>invalid response</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>server busy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>token rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>request rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>check sync settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sync failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%n waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%n rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter a value.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{value} is not a number; use the digits and the decimal point.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{value} is not a whole number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{value} is out of range; enter {minimum} to {maximum}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{value} is not a valid id; use letters, digits and . _ / - only, starting with a letter or digit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too long; enter at most {maximum} characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{value} contains control characters; type it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{value} is not a date; enter it as YYYY-MM-DD.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{value} is not accepted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open too long: {open} (limit {limit}). Reseal now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open {open} of {limit} allowed. Reseal soon.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Humidity {value:g} % RH is above this grade&apos;s limit of {limit:g} % RH.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not recorded: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{kind} recorded: {subject}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>humidity control on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{container} at {location}, {temperature:g} °C, {humidity:g} % RH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot {lot} from {supplier}, lot number {number}, {count} containers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{container}: label {old} replaced by {new} ({reason})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{step} on {equipment}: {inputs} → {outputs}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sample {sample} of lot {lot} by {method} v{version}, {increments} increments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{sample}: {property} = {value:g} {unit}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{decision} by {approver}: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voids event {event}: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan not accepted: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>log in first: scan your badge or pick your name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{text} names no container, lot, sample or badge here; register it or sync first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{text} is not a container label; scan a container</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrong PIN. %n attempt(s) left before a lock-out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too many wrong PINs: try again in {seconds} s or scan your badge.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Badge {badge} is not an active operator here; ask a supervisor.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logged in: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logged out after {minutes:g} min without use.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The station store failed: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label not printed: {reason}. It stays queued and is retried.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label {label} printed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No label printer is set up at this station.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The kiosk hit an internal error and restarts. Nothing recorded is lost.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
