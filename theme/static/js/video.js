/* 党员电教 video page: chapter buttons seek the player; opened from disk (file://), where browsers refuse
   <track> files, the subtitles come from the cues the build put in the page. No library. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var video = document.getElementById("hw-video");
    if (!video) { return; }
    var buttons = document.querySelectorAll("[data-seek]");
    for (var i = 0; i < buttons.length; i += 1) {
      buttons[i].disabled = false;
      buttons[i].addEventListener("click", function (event) {
        video.currentTime = parseFloat(event.currentTarget.getAttribute("data-seek")) || 0;
        var playing = video.play();
        if (playing && playing.catch) { playing.catch(function () { /* autoplay refused: the reader presses play */ }); }
      });
    }
    var data = document.getElementById("hw-cues");
    if (location.protocol !== "file:" || !data || !window.VTTCue) { return; }
    var cues = [];
    try { cues = JSON.parse(data.textContent); } catch (e) { return; }
    var tracks = video.querySelectorAll("track");
    for (var j = 0; j < tracks.length; j += 1) { tracks[j].parentNode.removeChild(tracks[j]); }
    var track = video.addTextTrack("subtitles", "中文字幕", "zh-CN");
    for (var k = 0; k < cues.length; k += 1) { track.addCue(new window.VTTCue(cues[k][0], cues[k][1], cues[k][2])); }
    track.mode = "showing";
  });
}());
